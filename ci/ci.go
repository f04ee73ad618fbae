// Package ci is Charter's CI gate client: given a change set (schemas per
// subject, and later pacts per pacticipant), it asks a registry whether the
// change is safe and renders a report with a documented exit-code policy
// (0 pass, 1 incompatible or not deployable, 2 could not decide).
//
// The package speaks the public wire protocols only: Confluent's
// POST /compatibility/subjects/{subject}/versions/latest?verbose=true and the
// Pact Broker's GET /can-i-deploy. It therefore works against Charter and
// against any other Confluent-compatible registry or Pact Broker, and it
// never imports the server packages (registry, store, api).
//
// This package is a placeholder: the client, the gate and the report
// renderers arrive with the CI-gate issue.
package ci
