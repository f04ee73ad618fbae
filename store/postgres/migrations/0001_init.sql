-- The registry's tables, mirroring store/sqlite's. Contexts are stored in
-- canonical form ("." for the default context, ".name" otherwise); subjects
-- and scopes in their qualified form (see registry.Subject). Key columns use
-- the "C" collation: subjects compare and sort bytewise, as Go strings and
-- SQLite do, whatever the database's default collation.

-- Schema content, immutable once written. Ids and fingerprints are unique
-- per context. refs, metadata and ruleset hold the JSON of
-- []registry.Reference, registry.Metadata and registry.RuleSet, NULL when
-- there are none (refs) or the pointer is nil (metadata, ruleset).
CREATE TABLE schemas (
	context     text COLLATE "C" NOT NULL,
	id          integer          NOT NULL,
	fingerprint text COLLATE "C" NOT NULL,
	type        text             NOT NULL,
	text        text             NOT NULL,
	refs        jsonb,
	metadata    jsonb,
	ruleset     jsonb,
	PRIMARY KEY (context, id),
	UNIQUE (context, fingerprint)
);

-- The references of each schema, resolved to qualified subjects relative to
-- the schema's context (Reference.Subject.In(context)), keyed for
-- Tx.Referrers. A schema naming the same subject version twice has one row.
CREATE TABLE schema_refs (
	ref_subject text COLLATE "C" NOT NULL,
	ref_version integer          NOT NULL,
	context     text COLLATE "C" NOT NULL,
	schema_id   integer          NOT NULL,
	PRIMARY KEY (ref_subject, ref_version, context, schema_id),
	FOREIGN KEY (context, schema_id) REFERENCES schemas (context, id) ON DELETE CASCADE
);

-- Subject versions: the link from a subject to schema content in the
-- subject's context (denormalised into the context column for joins).
-- created_at is stored to the millisecond, as the registry serves it.
CREATE TABLE versions (
	subject    text COLLATE "C" NOT NULL,
	version    integer          NOT NULL,
	context    text COLLATE "C" NOT NULL,
	schema_id  integer          NOT NULL,
	deleted    boolean          NOT NULL DEFAULT false,
	created_at timestamptz      NOT NULL,
	PRIMARY KEY (subject, version),
	FOREIGN KEY (context, schema_id) REFERENCES schemas (context, id)
);

CREATE INDEX versions_by_schema ON versions (context, schema_id);

-- Config per scope ("" global, ":.ctx:" context, or a subject): the JSON of
-- registry.Config.
CREATE TABLE configs (
	scope text COLLATE "C" NOT NULL PRIMARY KEY,
	body  jsonb            NOT NULL
);

-- Mode per scope.
CREATE TABLE modes (
	scope text COLLATE "C" NOT NULL PRIMARY KEY,
	mode  text             NOT NULL
);

-- The change log other nodes follow to invalidate their caches (see
-- Store.Changes and Store.Listen): one row per subject or scope an Update
-- touched. kind is 'version', 'config' or 'mode'; subject is the qualified
-- subject or scope, context its context. Rows are inserted under a global
-- advisory lock held until commit, so seq order is commit order: a reader
-- that sees seq n also sees every committed seq below n.
CREATE TABLE changes (
	seq     bigserial        PRIMARY KEY,
	at      timestamptz      NOT NULL DEFAULT now(),
	kind    text             NOT NULL CHECK (kind IN ('version', 'config', 'mode')),
	subject text COLLATE "C" NOT NULL,
	context text COLLATE "C" NOT NULL
);
