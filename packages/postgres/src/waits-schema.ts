/**
 * Schema version 2: signals, step waits, schedules and their claimed ticks (the tables of
 * SQLite's version 3, with what a statement sent twice over a lost connection needs).
 */
export const WAITS_SCHEMA = `
      -- engine.signal() from any controller; kept until a ctx.waitFor of the run consumes it (oldest id first).
      CREATE TABLE $schema.signals (
        id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- Chosen by the sender: an insert sent again after a lost reply is a no-op, not a second signal.
        token   TEXT NOT NULL UNIQUE,
        run_id  TEXT NOT NULL REFERENCES $schema.runs (run_id) ON DELETE CASCADE,
        name    TEXT NOT NULL,
        payload TEXT NOT NULL,
        sent_at BIGINT NOT NULL
      );
      CREATE INDEX signals_by_run ON $schema.signals (run_id, name, id);

      -- The seq-th ctx.waitFor / ctx.sleep of a step and its outcome: what a re-run step gets at once.
      CREATE TABLE $schema.step_waits (
        run_id TEXT NOT NULL REFERENCES $schema.runs (run_id) ON DELETE CASCADE,
        step   TEXT NOT NULL,
        seq    INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (run_id, step, seq)
      );

      CREATE TABLE $schema.schedules (
        id         TEXT PRIMARY KEY,
        pipeline   TEXT NOT NULL,
        version    TEXT NOT NULL,
        cron       TEXT NOT NULL,
        timezone   TEXT,
        params     TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        seen_at    BIGINT NOT NULL
      );

      -- One row per fired tick: the primary key is what makes a tick fire once across controllers.
      CREATE TABLE $schema.schedule_ticks (
        schedule_id TEXT NOT NULL,
        tick_at     BIGINT NOT NULL,
        owner       TEXT NOT NULL,
        run_id      TEXT NOT NULL,
        claimed_at  BIGINT NOT NULL,
        PRIMARY KEY (schedule_id, tick_at)
      );`;
