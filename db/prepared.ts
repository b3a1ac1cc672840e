// Hot queries built once. Drizzle's query builder costs tens of µs per call (building the SQL
// string and its parameter list); a prepared query (`.prepare()` with `sql.placeholder`) is built
// once and then only fills in its values. A prepared query belongs to one database handle, so it
// is built lazily for each one (tests open many) and kept as long as that handle lives.
import type { Orm } from "./client";

/** `build` once per database handle: `const byId = prepared((orm) => orm.select()….prepare())`. */
export function prepared<T>(build: (orm: Orm) => T): (db: { orm: Orm }) => T {
  const built = new WeakMap<Orm, T>();
  return ({ orm }) => {
    let query = built.get(orm);
    if (query === undefined) built.set(orm, (query = build(orm)));
    return query;
  };
}
