-- The registry's tables. Contexts are stored in canonical form ("." for the
-- default context, ".name" otherwise); subjects and scopes in their
-- qualified form (see registry.Subject). Times are Unix milliseconds, UTC.

-- Schema content, immutable once written. Ids and fingerprints are unique
-- per context. refs, metadata and ruleset hold the JSON of
-- []registry.Reference, registry.Metadata and registry.RuleSet, NULL when
-- there are none (refs) or the pointer is nil (metadata, ruleset).
CREATE TABLE schemas (
	context     TEXT    NOT NULL,
	id          INTEGER NOT NULL,
	fingerprint TEXT    NOT NULL,
	type        TEXT    NOT NULL,
	text        TEXT    NOT NULL,
	refs        TEXT,
	metadata    TEXT,
	ruleset     TEXT,
	PRIMARY KEY (context, id),
	UNIQUE (context, fingerprint)
) STRICT;

-- The references of each schema, resolved to qualified subjects relative to
-- the schema's context (Reference.Subject.In(context)), keyed for
-- Tx.Referrers. A schema naming the same subject version twice has one row.
CREATE TABLE schema_refs (
	ref_subject TEXT    NOT NULL,
	ref_version INTEGER NOT NULL,
	context     TEXT    NOT NULL,
	schema_id   INTEGER NOT NULL,
	PRIMARY KEY (ref_subject, ref_version, context, schema_id),
	FOREIGN KEY (context, schema_id) REFERENCES schemas (context, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Subject versions: the link from a subject to schema content in the
-- subject's context (denormalised into the context column for joins).
CREATE TABLE versions (
	subject    TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	context    TEXT    NOT NULL,
	schema_id  INTEGER NOT NULL,
	deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (subject, version),
	FOREIGN KEY (context, schema_id) REFERENCES schemas (context, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX versions_by_schema ON versions (context, schema_id);

-- Config per scope ("" global, ":.ctx:" context, or a subject): the JSON of
-- registry.Config.
CREATE TABLE configs (
	scope TEXT NOT NULL PRIMARY KEY,
	body  TEXT NOT NULL
) STRICT;

-- Mode per scope.
CREATE TABLE modes (
	scope TEXT NOT NULL PRIMARY KEY,
	mode  TEXT NOT NULL
) STRICT;
