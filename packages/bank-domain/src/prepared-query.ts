// The bank's hot reads (a revocation check, a consent, an account row at every API call) built and
// compiled by Kysely once per dialect instead of at every call: building and compiling a query cost
// several times what SQLite then spends answering it. The query is built with a marker in place of
// each argument; each call binds its own values where the markers ended up among the parameters.
import type { Compilable, CompiledQuery, DialectAdapter } from 'kysely';
import type { BankDb } from './database.js';

const MARKER = '\u0000bank-domain-argument:';

interface Prepared<Row> {
  compiled: CompiledQuery<Row>;
  /** For each bound parameter: the argument it takes, or undefined for a constant of the query. */
  argumentAt: (number | undefined)[];
}

/**
 * `build` receives markers for its arguments; it must use each as a value (bound as a parameter), and
 * its shape may not depend on them (no `$if` on an argument: build one prepared query per shape).
 */
export function preparedQuery<Args extends unknown[], Row>(
  build: (db: BankDb, ...args: Args) => Compilable<Row>,
): (db: BankDb, ...args: Args) => Promise<Row[]> {
  const arity = build.length - 1;
  // Keyed by the dialect's adapter, which a transaction shares with the database it runs on.
  const perDialect = new WeakMap<DialectAdapter, Prepared<Row>>();

  const prepare = (db: BankDb): Prepared<Row> => {
    const markers = Array.from({ length: arity }, (_, i) => `${MARKER}${i}`) as Args;
    const compiled = build(db, ...markers).compile();
    const argumentAt = compiled.parameters.map((value) =>
      typeof value === 'string' && value.startsWith(MARKER) ? Number(value.slice(MARKER.length)) : undefined,
    );
    const unbound = [...Array(arity).keys()].filter((i) => !argumentAt.includes(i));
    if (unbound.length > 0) {
      throw new Error(`prepared query left argument(s) ${unbound.join(', ')} unbound: ${compiled.sql}`);
    }
    return { compiled, argumentAt };
  };

  return async (db, ...args) => {
    const adapter = db.getExecutor().adapter;
    let prepared = perDialect.get(adapter);
    if (!prepared) {
      prepared = prepare(db);
      perDialect.set(adapter, prepared);
    }
    const { compiled, argumentAt } = prepared;
    const parameters = argumentAt.map((arg, i) => (arg === undefined ? compiled.parameters[i] : args[arg]));
    const { rows } = await db.executeQuery<Row>({ ...compiled, parameters });
    return rows;
  };
}
