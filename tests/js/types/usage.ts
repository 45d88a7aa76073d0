// Compiled by tests/js/types.test.mjs with `tsc --strict --noEmit` against the built package's
// declarations (pkg/*.d.ts): the public API as a TypeScript site uses it. `@ts-expect-error`
// lines must fail to compile, so the types are as narrow as the docs say.
import { Hearth, HearthError, init, type ConsentSignals, type PageContext } from '../../../pkg/hearth.js';
import type { HearthPage, PageOptions } from '../../../pkg/dom.js';

export async function site(manifest: object, claims: string[]): Promise<number> {
  const engine: Hearth = await Hearth.loadAsync(manifest, { decryptionKey: 'key' });
  const verified: string[] = await engine.verifyClaims(claims);
  const signals: ConsentSignals = { tcString: 'CP...', tcfPurposes: [1, 5, 6], gpc: true };
  const session = engine.session({ storage: 'memory' });
  const outcome = session.consent(signals);
  const context: PageContext = { claims: verified };
  const hero = session.decide('hero', context);
  const flag: number = engine.visitor({ attributes: { id: 'v' } }).getFeatureValue('free-shipping-threshold', 75);
  const compiled: Uint8Array = Hearth.compile(manifest);
  const heroLabel: string | undefined = Hearth.load(compiled).labels.slots['hero']?.label;
  const options: PageOptions = { manifest: '/manifest.bin', decryptionKey: 'key', consent: signals };
  // @ts-expect-error compiled manifests are bytes, not numbers
  Hearth.load(42);
  void heroLabel;
  const page: HearthPage = await init(options);
  const presented: Promise<void> = page.presentClaims(claims);
  await presented;
  // @ts-expect-error purposes are numbers
  const wrong: ConsentSignals = { tcfPurposes: ['1'] };
  // @ts-expect-error loadAsync is asynchronous
  const sync: Hearth = Hearth.loadAsync(manifest);
  void wrong;
  void sync;
  if (!(outcome.allowed.length >= 0 && hero !== undefined)) throw new HearthError('unreachable');
  return flag;
}
