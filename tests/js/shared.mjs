// Helpers the Node suites share (not a test file: node --test runs *.test.mjs only). Nothing here
// imports hearth, so each suite keeps instantiating the build it tests.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../..', import.meta.url);
/** A repository file's text. */
export const read = (p) => readFileSync(new URL(p, ROOT), 'utf8');

/** The fixed determinism scenario through `engine`; its page answer as JSON text (asserting every event is learned). */
export function replayScenario(engine) {
  const scenario = JSON.parse(read('tests/data/determinism/scenario.json'));
  const s = engine.session({ storage: 'memory', clock: () => scenario.now, secret: scenario.secret });
  s.consent(scenario.consent);
  for (const e of scenario.events) assert.equal(s.event(e).learned, true, JSON.stringify(e));
  return JSON.stringify(s.page(scenario.request, scenario.context));
}

/** The native page answer the scenario must give everywhere. */
export const expectedAnswer = () => read('tests/data/determinism/expected.json').trim();

/** Runs `script` in a child Node with the full build's `Hearth` imported; its stdout. */
export const withFullBuild = (script) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', `import { Hearth } from './pkg/node.js';\n${script}`], { cwd: ROOT }).toString();

/** `doc` (a manifest object or JSON text) compiled by the full build: what a site's deploy step does. */
export const compileWithFullBuild = (doc) =>
  Buffer.from(withFullBuild(`process.stdout.write(Buffer.from(Hearth.compile(${JSON.stringify(typeof doc === 'string' ? doc : JSON.stringify(doc))})).toString('base64'));`), 'base64');
