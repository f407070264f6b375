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
  {
    version: 5,
    description: 'preference pairs (docs/refine.md); they go with their episode when its row is forgotten',
    sql: `
      CREATE TABLE pairs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
        step_index INTEGER NOT NULL,
        camera TEXT NOT NULL,
        frame_index INTEGER NOT NULL,
        robot_state TEXT NOT NULL,
        instruction TEXT NOT NULL,
        task TEXT NOT NULL,
        model_name TEXT NOT NULL,
        model_version TEXT NOT NULL,
        action_space TEXT NOT NULL,
        action_names TEXT NOT NULL,
        chosen TEXT NOT NULL,
        rejected TEXT NOT NULL,
        executed_side TEXT CHECK (executed_side IN ('chosen', 'rejected')),
        source TEXT NOT NULL CHECK (source IN ('label', 'gta', 'wm')),
        reward TEXT NOT NULL,
        chosen_score REAL NOT NULL,
        rejected_score REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'flipped', 'discarded')),
        stale INTEGER NOT NULL DEFAULT 0,
        created_at_ms REAL NOT NULL,
        dedup_key TEXT NOT NULL UNIQUE
      );
      CREATE INDEX pairs_episode ON pairs (episode_id);
      CREATE INDEX pairs_source_status ON pairs (source, status);
      CREATE INDEX pairs_task ON pairs (task);
      CREATE INDEX pairs_model ON pairs (model_name, model_version);
    `,
  },
  {
    version: 6,
    description: "pairs' reward components (a combined reward's, per chunk) and the goal frame a world model used",
    sql: `
      ALTER TABLE pairs ADD COLUMN score_parts TEXT;
      ALTER TABLE pairs ADD COLUMN goal_episode_id INTEGER;
      ALTER TABLE pairs ADD COLUMN goal_camera TEXT;
      ALTER TABLE pairs ADD COLUMN goal_frame_index INTEGER;
    `,
  },
];

export const CATALOG_SCHEMA_VERSION = CATALOG_MIGRATIONS[CATALOG_MIGRATIONS.length - 1]!.version;
