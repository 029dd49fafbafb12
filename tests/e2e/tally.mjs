// A node:test reporter that prints, after the run, how many tests passed and failed in each
// browser engine (suites are titled "[engine] ...": harness.mjs eachEngine). Used beside `spec`.
export default async function* tally(source) {
  const names = [];
  const counts = new Map();
  for await (const { type, data } of source) {
    if (type === 'test:start') names[data.nesting] = data.name;
    if ((type !== 'test:pass' && type !== 'test:fail') || data.details?.type === 'suite') continue;
    names[data.nesting] = data.name;
    const engine = names.slice(0, data.nesting + 1).map((name) => /^\[(\w+)\]/.exec(name)?.[1]).find(Boolean) ?? 'no engine';
    const count = counts.get(engine) ?? { pass: 0, fail: 0 };
    count[type === 'test:pass' ? 'pass' : 'fail'] += 1;
    counts.set(engine, count);
  }
  yield 'end-to-end tests per engine:\n';
  for (const [engine, { pass, fail }] of counts) yield `  ${engine.padEnd(9)} ${pass} passed, ${fail} failed\n`;
}
