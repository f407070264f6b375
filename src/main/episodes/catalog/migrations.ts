/**
 * The catalog's schema, one migration per version, applied in order inside a transaction each.
 * PRAGMA user_version holds the version reached. Never edit a shipped migration: add the next one.
 */
export const CATALOG_MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'episodes and time-range marks',
    sql: `
      CREATE TABLE episodes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('attempt', 'manual')),
        instruction TEXT NOT NULL,
        task TEXT NOT NULL,
        started_at_ms REAL NOT NULL,
        duration_s REAL NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted')),
        outcome TEXT,
        reason TEXT,
        strokes INTEGER NOT NULL DEFAULT 0,
        steps INTEGER NOT NULL DEFAULT 0,
        frames INTEGER NOT NULL DEFAULT 0,
        cameras TEXT NOT NULL DEFAULT '[]',
        model_name TEXT,
        model_version TEXT,
        link TEXT,
        seed INTEGER,
        label TEXT CHECK (label IN ('good', 'bad', 'unsure')),
        note TEXT NOT NULL DEFAULT '',
        excluded INTEGER NOT NULL DEFAULT 0,
        deleted_at_ms REAL
      );
      CREATE INDEX episodes_task ON episodes (task);
      CREATE INDEX episodes_started ON episodes (started_at_ms);
      CREATE INDEX episodes_status ON episodes (status);
      CREATE TABLE marks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        label TEXT NOT NULL CHECK (label IN ('good', 'bad', 'unsure')),
        note TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX marks_episode ON marks (episode_id);
    `,
  },
  {
    version: 2,
    description: 'label edit time, for "labelled since" queries and exports',
    sql: `
      ALTER TABLE episodes ADD COLUMN labeled_at_ms REAL;
      CREATE INDEX episodes_label ON episodes (label);
      CREATE INDEX episodes_model_version ON episodes (model_version);
    `,
  },
  {
    version: 3,
    description: 'the recording process, so a second Coach on the same folder never "recovers" a live recording',
    sql: `ALTER TABLE episodes ADD COLUMN recorder_pid INTEGER;`,
  },
  {
    version: 4,
    description: 'sim evaluations of model versions',
    sql: `
      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        model_name TEXT NOT NULL,
        model_version TEXT NOT NULL,
        model_path TEXT NOT NULL,
        seed_set TEXT NOT NULL,
        started_at_ms REAL NOT NULL,
        success_rate REAL NOT NULL,
        report TEXT NOT NULL
      );
      CREATE INDEX evaluations_model ON evaluations (model_name, model_version);
    `,
  },
];

export const CATALOG_SCHEMA_VERSION = CATALOG_MIGRATIONS[CATALOG_MIGRATIONS.length - 1]!.version;
