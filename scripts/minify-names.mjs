// Renames the glue's side of the wasm imports and exports after
// `wasm-opt --minify-imports-and-exports-and-modules` renamed the wasm's side.
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>`: the hex does not compress, and it
// is written twice (import section and glue), so short names save about 2.5 KB gzip.
// Usage: node scripts/minify-names.mjs <map.json from wasm-opt> <glue.js>
// Fails the build when a name of the map is not where the glue should use it.
import { readFileSync, writeFileSync } from "node:fs";

const [mapFile, glueFile] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapFile, "utf8"));
let glue = readFileSync(glueFile, "utf8");

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const replaceAll = (pattern, replacement) => {
  let count = 0;
  glue = glue.replace(pattern, () => {
    count += 1;
    return replacement;
  });
  return count;
};

const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) throw new Error(`expected one import module, found ${[...modules].join(", ")}`);
const [module] = modules;
// wasm-opt names the single module "a".
if (replaceAll(new RegExp(`["']${escape(module)}["']:`, "g"), '"a":') !== 1) {
  throw new Error(`import module ${module} not found once in ${glueFile}`);
}
for (const [, from, to] of map.imports) {
  // An import is a key of the imports object: `name: function`.
  if (replaceAll(new RegExp(`\\b${escape(from)}(?=:)`, "g"), to) !== 1) {
    throw new Error(`import ${from} not found once in ${glueFile}`);
  }
}
for (const [from, to] of map.exports) {
  // An export is only read as `wasm.name`; wasm-bindgen's own start/abort helpers may be unused.
  replaceAll(new RegExp(`\\bwasm\\.${escape(from)}\\b`, "g"), `wasm.${to}`);
}
if (/wasm\.(pkceclient_|__wbindgen_|__externref)/.test(glue)) throw new Error("an export was not renamed");
writeFileSync(glueFile, glue);
