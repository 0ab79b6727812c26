/**
 * The capitalized global names a module uses (types, classes, namespaces) without declaring
 * or importing them: what a type checker must find in the project's `lib` and `types`. A rough
 * scan, not a parser: strings, template literals and regular expressions are left out, and so
 * are names after a dot (`WebSocket.OPEN`) and object keys (`{ WebSocket: Ws }`).
 *
 * @example
 * ```ts
 * import { undeclaredCapitalNames } from "./global_names.ts";
 * const names = undeclaredCapitalNames([
 *   'import { Payload } from "./payload.ts";',
 *   "type Box<T> = { value: T; at: Date };",
 *   'const listen = (o: AddEventListenerOptions) => new Map<string, Box<Payload>>([["A", o]]);',
 * ]);
 * console.assert([...names.keys()].sort().join() === "AddEventListenerOptions,Date,Map");
 * ```
 * @module
 */

/** Strings, template literals and regular expression literals, to blank out. */
const literals = new RegExp(
  [
    /"(?:[^"\\\n]|\\.)*"/.source,
    /'(?:[^'\\\n]|\\.)*'/.source,
    /`(?:[^`\\]|\\.)*`/.source,
    /(?<=(?:[(,=:[!&|?{};>]|\breturn)\s*)\/(?![/*])(?:[^/\\\n[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+\/[a-z]*/
      .source,
  ].join("|"),
  "g",
);

/** Names a module declares itself: declarations, `infer`, and type parameters. */
const declarations = [
  /\b(?:class|interface|type|enum|function|const|let|var|namespace|infer)\s+([A-Z]\w*)/g,
  /[<,]\s*([A-Z]\w*)\s*(?:extends\b|=(?![=>]))/g, // type parameters with a bound or default
];

/** Type parameter lists of declarations (`type Box<T>`) and methods (`map<U>(`). */
const parameterLists = /(?:\b(?:class|interface|type|function)\s+\w+|\b[a-z]\w*)\s*<([\w\s,]+)>/g;

/** Import clauses: `import { A, type B as C }`, `import * as D`, `import E from`. */
const imports = /\bimport\s+(?:type\s+)?(?:\{([^}]*)\}|(?:\*\s+as\s+)?([A-Za-z_$][\w$]*))/g;

/** A capitalized name not after a dot and not an object key (`Name:`, `Name?:`). */
const capitalNames = /(?<![.\w$#])([A-Z]\w*)\b(?!\s*\??:(?!:))/g;

/**
 * The capitalized names the `sources` (without comments) use but neither declare nor import,
 * each with the indexes of the sources that use it. Names declared in any source count as
 * declared in all: the sources are one package.
 *
 * @example
 * ```ts
 * import { undeclaredCapitalNames } from "./global_names.ts";
 * const names = undeclaredCapitalNames(["export class A {}", "let b: A | CloseEvent;"]);
 * console.assert([...names].join() === "CloseEvent,1");
 * ```
 */
export function undeclaredCapitalNames(sources: readonly string[]): Map<string, number[]> {
  const codes = sources.map((source) => source.replace(literals, '""'));
  const declared = new Set<string>();
  for (const code of codes) {
    for (const pattern of declarations) {
      for (const [, name] of code.matchAll(pattern)) declared.add(name);
    }
    for (const [, list] of code.matchAll(parameterLists)) {
      for (const parameter of list.split(",")) declared.add(parameter.trim().split(/\W/)[0]);
    }
    for (const [, named, single] of code.matchAll(imports)) {
      if (single !== undefined) declared.add(single);
      for (const part of named?.split(",") ?? []) {
        const name = part.trim().split(/\s+/).pop();
        if (name) declared.add(name);
      }
    }
  }
  const used = new Map<string, number[]>();
  codes.forEach((code, index) => {
    for (const [, name] of code.matchAll(capitalNames)) {
      if (declared.has(name)) continue;
      const users = used.get(name) ?? [];
      if (users.at(-1) !== index) users.push(index);
      used.set(name, users);
    }
  });
  return used;
}
