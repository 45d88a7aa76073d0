// hearth's JavaScript API over the wasm-bindgen glue. It converts values and
// maps errors; every decision is made in Rust. Load it through an entry
// point (node.js, browser.js, workerd.js), which first instantiates the Wasm.
import { wasm } from './glue.js';

/** An error from hearth. `issues` lists every problem, each with its path. */
export class HearthError extends Error {
  constructor(message, issues = []) {
    super(message);
    this.name = 'HearthError';
    this.issues = issues;
  }
}

/**
 * What a freed Session or PreparedPage holds in place of its Wasm object: every call throws a
 * HearthError saying so (a second `free` does nothing).
 */
const freed = (what) =>
  new Proxy(
    {},
    {
      get: (_, name) =>
        name === 'free'
          ? () => {}
          : () => {
              throw new HearthError(`this ${what} was freed (free() releases its Wasm memory for good)`);
            },
    },
  );
const FREED_SESSION = freed('session');
const FREED_PAGE = freed('prepared page');

// What each build has. The browser builds export less (src/wasm/features.rs and full.rs say
// what), so their glue has less too: asking one for what it lacks names the build that has it.
const ELSEWHERE = {
  features:
    "hearth's page build (hearth_browser_bg.wasm: slots, artwork, promotions and recommendations): init({features: true}) loads hearth_features_bg.wasm, which adds GrowthBook features and experiments",
  json: "hearth's page build (hearth_browser_bg.wasm), which loads hearth manifests compiled (`hearth compile manifest.json -o manifest.bin`, or Hearth.compile in Node); a GrowthBook payload loads in hearth_features_bg.wasm (init({features: true})) and the full build",
  tools:
    "hearth's page build (hearth_browser_bg.wasm), which leaves out diagnostics for developers: the features build (init({features: true})) and the full build have it",
  full: "hearth's browser builds (hearth_browser_bg.wasm, hearth_features_bg.wasm): init() with hearth_wasm_bg.wasm, the full build, has it",
};
/** Throws the HearthError naming the build that has `what`, unless this one has `exported` (`where`: a key of ELSEWHERE). */
function needs(exported, what, where) {
  if (exported === undefined) throw new HearthError(`${what} is not in ${ELSEWHERE[where]}`);
}

/** The glue's function `name`, or the HearthError `needs` throws when this build has none. */
function exported(name, what, where) {
  const f = wasm[name];
  needs(f, what, where);
  return f;
}

/** The full build's export for GrowthBook's helper `name` (`gbHash` for `hash`). */
const gb = (name) => exported(`gb${name[0].toUpperCase()}${name.slice(1)}`, `growthbook.${name}`, 'full');

// Errors from Rust arrive as JS Errors whose message may carry a JSON list of
// issues after a marker; anything else is passed through unchanged.
const ISSUES = '\n--issues--\n';
function rethrow(e) {
  if (e instanceof Error && e.message.includes(ISSUES)) {
    const [message, json] = e.message.split(ISSUES);
    throw new HearthError(message, JSON.parse(json));
  }
  if (e instanceof Error) throw new HearthError(e.message);
  throw new HearthError(String(e));
}

function call(f) {
  try {
    return f();
  } catch (e) {
    rethrow(e);
  }
}

const text = (doc) => (typeof doc === 'string' ? doc : JSON.stringify(doc));
/** A compiled manifest's bytes (`Hearth.compile`), or null for a manifest document or its JSON text. */
const compiledBytes = (m) => (m instanceof Uint8Array ? m : m instanceof ArrayBuffer ? new Uint8Array(m) : null);

function tryJson(t) {
  try {
    return JSON.parse(t);
  } catch {
    return undefined; // `load` reports it, with line and column
  }
}

/** GrowthBook's encrypted payload sections and what each decrypts to. */
const ENCRYPTED = [
  ['encryptedFeatures', 'features'],
  ['encryptedSavedGroups', 'savedGroups'],
  ['encryptedExperiments', 'experiments'],
];

/** Base64 text as bytes (`atob`, as GrowthBook's SDK decodes); throws on anything else. */
const base64Bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** `base64(iv).base64(ciphertext)` with a base64 AES key, through WebCrypto (GrowthBook's `decrypt`). */
async function webDecrypt(encrypted, key) {
  if (typeof encrypted !== 'string') throw new Error('must be a string');
  const bytes = (b64, what) => {
    try {
      return base64Bytes(b64);
    } catch {
      throw new Error(`${what} is not base64`);
    }
  };
  const [iv, cipher] = encrypted.split('.');
  if (cipher === undefined) throw new Error('malformed encrypted text: expected `iv.ciphertext`');
  const subtle = globalThis.crypto.subtle;
  let k;
  try {
    k = await subtle.importKey('raw', bytes(String(key), 'the key'), { name: 'AES-CBC' }, false, ['decrypt']);
  } catch (e) {
    throw new Error(`bad decryption key: ${e.message}`);
  }
  try {
    return new TextDecoder().decode(await subtle.decrypt({ name: 'AES-CBC', iv: bytes(iv, 'the iv') }, k, bytes(cipher, 'the ciphertext')));
  } catch (e) {
    throw new Error(e.name === 'OperationError' ? 'wrong decryption key or corrupted data' : `malformed encrypted text: ${e.message}`);
  }
}

/**
 * A JSON tree (a `JSON.parse` result) as nodes `matches` walks without
 * allocating: objects as `{k: keys, v: nodes}`, arrays as `{a: nodes}`,
 * primitives as themselves.
 */
function shapeOf(json) {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return { a: json.map(shapeOf) };
  const k = Object.keys(json);
  return { k, v: k.map((key) => shapeOf(json[key])) };
}

/**
 * Whether `live` would serialize to the JSON `shape` describes: the same keys
 * in the same order, the same values. What JSON.stringify would transform
 * (toJSON, undefined, functions, NaN) does not match, which only costs a fresh
 * serialization.
 */
function matches(shape, live) {
  if (shape === null || typeof shape !== 'object') return live === shape;
  if (live === null || typeof live !== 'object') return false;
  const { a } = shape;
  if (a !== undefined) {
    if (!Array.isArray(live) || live.length !== a.length) return false;
    for (let i = 0; i < a.length; i++) if (!matches(a[i], live[i])) return false;
    return true;
  }
  if (Array.isArray(live) || typeof live.toJSON === 'function') return false;
  const { k, v } = shape;
  let i = 0;
  // for-in visits what JSON.stringify does (enumerable string keys, in order), plus inherited enumerable ones, which then fail to match.
  for (const key in live) {
    if (key !== k[i] || !matches(v[i], live[key])) return false;
    i++;
  }
  return i === k.length;
}

/** Freezes `o` and everything in it: shared definitions must not be edited by one caller for all. */
function deepFreeze(o) {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

// ---- reading results in place ----
// Results are left in Wasm memory (see WasmVisitor::out_location in
// src/wasm/mod.rs) and decoded here from a view, which avoids the per-call
// allocation, copy and free of returning a String through wasm-bindgen.
const SOURCES = ['unknownFeature', 'defaultValue', 'force', 'override', 'experiment', 'prerequisite', 'cyclicPrerequisite'];
const utf8 = new TextDecoder();
const utf8encode = new TextEncoder();
let memory;
let bytes;

/** The text at a packed location `ptr * 2^21 + len`. */
function readOut(loc) {
  const len = loc % 2097152;
  const ptr = (loc - len) / 2097152;
  memory ??= wasm.wasmMemory();
  // The view is replaced when memory grows (the old buffer is detached).
  if (bytes === undefined || bytes.buffer !== memory.buffer) bytes = new Uint8Array(memory.buffer);
  return utf8.decode(bytes.subarray(ptr, ptr + len));
}

let f64s;
let u32s;
let vocabulary;

/** Typed views of Wasm memory (replaced when memory grows) and the names records use. */
function views() {
  memory ??= wasm.wasmMemory();
  if (u32s === undefined || u32s.buffer !== memory.buffer) {
    bytes = new Uint8Array(memory.buffer);
    u32s = new Uint32Array(memory.buffer);
    f64s = new Float64Array(memory.buffer);
  }
  vocabulary ??= JSON.parse(wasm.decisionVocabulary());
}

/**
 * A slot decision from the `DecisionRecord` at byte `at` of Wasm memory (its
 * layout is in src/wasm/session.rs), or `{error}` for a negative `at`. The
 * variant (id, content), the reason and the codes are shared and frozen.
 */
function readDecision(at, slot, known, shared) {
  if (at < 0) return { error: readOut(-at) };
  views();
  const w = at / 4;
  const variant = known.variants[u32s[w + 2]];
  return {
    slot,
    variant: variant.id,
    content: variant.content,
    strategy: vocabulary.strategies[bytes[at + 24]],
    reason: shared.reason(bytes[at + 26], u32s[w + 4], u32s[w + 5]),
    codes: shared.codes(u32s[w + 3]),
    propensity: f64s[at / 8],
    explored: bytes[at + 25] === 1,
  };
}

/**
 * `{item: choice}` for `items`: from the records `records(positions)` leaves
 * in Wasm memory, or from `page(ids)` when an item is unknown or has no
 * artworks (its error comes from there) or the records failed.
 */
function artworksOf(items, shared, records, page) {
  const ids = items.map(String);
  const known = ids.map(shared.item);
  const at = known.includes(undefined) ? -1 : records(Uint32Array.from(known, (k) => k.index));
  return at < 0 ? page(ids) : readArtworks(at, ids, known, shared);
}

/** `{item: choice}` from consecutive records at `at` (see `readDecision`), one per `known` item of `ids`. */
function readArtworks(at, ids, known, shared) {
  views();
  const out = {};
  for (let i = 0, r = at; i < ids.length; i++, r += 32) {
    const w = r / 4;
    const artwork = known[i].artworks[u32s[w + 2]];
    out[ids[i]] = {
      artwork: artwork.id,
      content: artwork.content,
      reason: shared.reason(bytes[r + 26], u32s[w + 4], u32s[w + 5]),
      codes: shared.codes(u32s[w + 3]),
      propensity: f64s[r / 8],
      explored: bytes[r + 25] === 1,
    };
  }
  return out;
}

/** Builds an ExperimentResult from its compact form (see ExperimentResult::write_compact). */
function experimentResult(s) {
  if (s.charCodeAt(0) === 123 /* { */) return JSON.parse(s);
  const f = s.split('\u0001');
  const value = JSON.parse(f[1]);
  const hashValue = JSON.parse(f[8]);
  const featureId = f[9] === '' ? null : f[9].slice(1);
  // One object literal per common shape (with or without a bucket): adding
  // properties one by one made this the slowest part of a run from JS.
  const r =
    f[10] === ''
      ? { value, variationId: Number(f[2]), key: f[3], inExperiment: f[5] === '1', hashUsed: f[6] === '1', hashAttribute: f[7], hashValue, featureId, stickyBucketUsed: f[12] === '1' }
      : { value, variationId: Number(f[2]), key: f[3], inExperiment: f[5] === '1', hashUsed: f[6] === '1', hashAttribute: f[7], hashValue, featureId, bucket: Number(f[10]), stickyBucketUsed: f[12] === '1' };
  if (f[4] !== '') r.name = f[4];
  if (f[11] === '1') r.passthrough = true;
  if (f[13] !== '') Object.assign(r, JSON.parse(f[13]));
  return r;
}

/** Builds a FeatureResult from its compact form. */
function featureResult(s, echo) {
  const comma = s.indexOf(',', 1);
  const start = comma + 1 + Number(s.slice(1, comma));
  const end = s.indexOf('\0', start);
  const value = JSON.parse(end < 0 ? s.slice(start) : s.slice(start, end));
  const r = { value, on: !!value, off: !value, source: SOURCES[s.charCodeAt(0) - 48], ruleId: s.slice(comma + 1, start) };
  if (end >= 0) {
    const mid = s.indexOf('\0', end + 1);
    const e = s.slice(end + 1, mid);
    r.experiment = e.charCodeAt(0) === 123 ? JSON.parse(e) : echo(Number(e));
    r.experimentResult = experimentResult(s.slice(mid + 1));
  }
  return r;
}

/** A loaded manifest (or bare GrowthBook payload): parse and validate once, evaluate many times. */
export class Hearth {
  #engine;
  #labels;
  /** Experiment definitions of the payload's rules, parsed once, by id. */
  #echoes = [];
  /** Feature id -> its position in the payload, so calls pass a number, not a string. */
  #indices = new Map();
  /** Slot id -> its position and variants `[{id, content}]`, parsed once and frozen. */
  #variants = new Map();
  /** Item id -> its catalog position and artworks `[{id, content}]`, parsed once and frozen. */
  #items = new Map();
  /** Definitions passed as plain objects, compiled once per JSON text (bounded). */
  #compiled = new Map();
  /**
   * The same, by object: `{shape, handle}` per definition object (`kind` e or c),
   * reused while the object still serializes to the JSON `shape` describes. Comparing with the
   * last parsed form is a few hundred ns, JSON.stringify a few µs; an edited
   * object is noticed like a new one.
   */
  #byObject = { e: new WeakMap(), c: new WeakMap() };
  /** Reason sentences and code lists of decisions, made once each (see `readDecision`). */
  #reasons = new Map();
  #codeLists = new Map();
  #shared = {
    /** The compiled handle for a plain definition (`kind`: 'e' experiment, 'c' condition). */
    compiled: (kind, definition) => {
      const objects = definition !== null && typeof definition === 'object' ? this.#byObject[kind] : undefined;
      const hit = objects?.get(definition);
      if (hit !== undefined && matches(hit.shape, definition)) return hit.handle;
      const text = JSON.stringify(definition);
      const key = kind + text;
      let handle = this.#compiled.get(key);
      if (handle === undefined) {
        handle = call(() => (kind === 'e' ? this.#engine.experiment(text) : this.#engine.condition(text)));
        if (this.#compiled.size >= 256) this.#compiled.clear();
        this.#compiled.set(key, handle);
      }
      objects?.set(definition, { shape: shapeOf(JSON.parse(text)), handle });
      return handle;
    },
    /** The reason sentence of kind `kind` completed by the manifest text at `ptr` (stable: the manifest outlives every caller). */
    reason: (kind, ptr, len) => {
      const key = ptr * 16 + kind;
      let r = this.#reasons.get(key);
      if (r === undefined) {
        r = vocabulary.because[kind] + (len ? utf8.decode(bytes.subarray(ptr, ptr + len)) : '');
        this.#reasons.set(key, r);
      }
      return r;
    },
    /** The reason codes of a `Codes` bit set, as a frozen list. */
    codes: (bits) => {
      let c = this.#codeLists.get(bits);
      if (c === undefined) {
        c = Object.freeze(vocabulary.codes.filter((_, i) => bits & (1 << i)));
        this.#codeLists.set(bits, c);
      }
      return c;
    },
    echo: (id) => (this.#echoes[id] ??= deepFreeze(JSON.parse(this.#engine.experimentEcho(id)))),
    /** `{index, variants}` of a slot the manifest declares, else `undefined`. */
    slot: (id) => {
      let v = this.#variants.get(id);
      if (v === undefined) {
        const json = this.#engine.slotVariants(id);
        if (json === undefined) return undefined; // not remembered: callers may pass anything
        v = { index: this.#engine.slotIndex(id), variants: deepFreeze(JSON.parse(json)) };
        this.#variants.set(id, v);
      }
      return v;
    },
    /** `{index, artworks}` of a catalog item with artworks, else `undefined`. */
    item: (id) => {
      let v = this.#items.get(id);
      if (v === undefined) {
        const index = this.#engine.itemIndex(id);
        if (index < 0) return undefined;
        v = { index, artworks: deepFreeze(JSON.parse(this.#engine.itemArtworks(index))) };
        this.#items.set(id, v);
      }
      return v.artworks.length ? v : undefined;
    },
    index: (key) => {
      let i = this.#indices.get(key);
      if (i === undefined) {
        i = this.#engine.featureIndex(key);
        // Only ids the payload has are remembered: callers may pass anything.
        if (i >= 0) this.#indices.set(key, i);
      }
      return i;
    },
  };

  constructor(engine) {
    this.#engine = engine;
  }

  /**
   * Parses and validates `manifest` (an object or JSON text).
   * Throws a HearthError listing every problem with its path.
   */
  static load(manifest, options = {}) {
    const bytes = compiledBytes(manifest);
    if (bytes) return new Hearth(call(() => wasm.WasmEngine.loadCompiled(bytes)));
    return new Hearth(
      call(() => {
        needs(wasm.WasmEngine.load, 'a JSON manifest', 'json');
        return wasm.WasmEngine.load(text(manifest), options.decryptionKey);
      }),
    );
  }

  /**
   * Validates a manifest (object or JSON text) and compiles it: the bytes `load` reads back
   * without validating again, several times faster (docs/manifest.md, "Compiled manifests").
   * Full build only; throws a HearthError listing every problem, as `load` does.
   */
  static compile(manifest) {
    return call(() => exported('compileManifest', 'Hearth.compile', 'full')(text(manifest)));
  }

  /**
   * `load`, with encrypted GrowthBook sections (`encryptedFeatures`, `encryptedSavedGroups`,
   * `encryptedExperiments`) decrypted first with the platform's WebCrypto, as GrowthBook's JS SDK
   * does. The browser build has no AES of its own, so there this is how an encrypted payload loads;
   * every build gives the same engine either way.
   */
  static async loadAsync(manifest, options = {}) {
    const key = options.decryptionKey;
    const doc = key === undefined || compiledBytes(manifest) ? undefined : typeof manifest === 'string' ? tryJson(manifest) : manifest;
    if (doc === null || typeof doc !== 'object' || !ENCRYPTED.some(([enc]) => enc in doc)) return Hearth.load(manifest, options);
    const out = { ...doc };
    const issues = [];
    for (const [enc, plain] of ENCRYPTED) {
      if (!(enc in out)) continue;
      const cipher = out[enc];
      delete out[enc];
      try {
        out[plain] = JSON.parse(await webDecrypt(cipher, key));
      } catch (e) {
        issues.push({ path: enc, message: `cannot decrypt: ${e instanceof SyntaxError ? `decrypted text is not JSON: ${e.message}` : e.message}` });
      }
    }
    if (issues.length) throw new HearthError(`invalid manifest: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n  ${issues.map((i) => `${i.path}: ${i.message}`).join('\n  ')}`, issues);
    return Hearth.load(out, { ...options, decryptionKey: undefined });
  }

  /**
   * Verifies signed claims (`payload.signature`, base64url Ed25519) against the manifest's
   * `claims.publicKey` with the platform's WebCrypto and tells the engine what it found. The
   * browser build has no Ed25519 of its own: a claim it was not told about is ignored
   * (`unverified`) until this has run. The full build verifies every claim itself, so there this
   * changes nothing. Resolves to the claims whose signature verified.
   */
  async verifyClaims(claims) {
    const raw = this.#engine.claimsKey();
    if (raw === undefined) return [];
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    const verified = [];
    for (const claim of claims) {
      const t = String(claim).trim();
      const dot = t.indexOf('.');
      let valid = false;
      try {
        const sig = base64Bytes(t.slice(dot + 1).replace(/-/g, '+').replace(/_/g, '/')); // base64url
        valid = dot > 0 && sig.length === 64 && (await subtle.verify('Ed25519', key, sig, utf8encode.encode(t.slice(0, dot))));
      } catch {
        valid = false; // not base64url: the engine says malformed
      }
      this.#engine.vouchClaim(t, valid);
      if (valid) verified.push(claim);
    }
    return verified;
  }

  /** A one-line description: what the manifest holds (not in the page build). */
  get summary() {
    needs(this.#engine.summary, 'Hearth#summary', 'tools');
    return this.#engine.summary();
  }

  /** The manifest's names for people, shaped like its document (see hearth.d.ts); frozen, made once. */
  get labels() {
    return (this.#labels ??= deepFreeze(JSON.parse(this.#engine.labels())));
  }

  /** A visitor context for evaluating features and experiments. */
  visitor(context = {}) {
    needs(wasm.WasmVisitor, 'hearth.visitor', 'features');
    return new Visitor(call(() => this.#engine.visitor(JSON.stringify(context))), this.#shared);
  }

  /**
   * Compiles an experiment definition once, for `visitor.run` over many
   * visitors (`run` also accepts the plain object, compiled on first use).
   */
  experiment(definition) {
    needs(wasm.WasmExperiment, 'run', 'features');
    return new CompiledExperiment(call(() => this.#engine.experiment(JSON.stringify(definition))));
  }

  /** Compiles a condition once, for `visitor.evalCondition` over many visitors. */
  condition(condition) {
    needs(wasm.WasmCondition, 'evalCondition', 'features');
    return new CompiledCondition(call(() => this.#engine.condition(JSON.stringify(condition))));
  }

  /**
   * A visitor session: consent, the on-device profile and its storage.
   * Nothing is read or written until consent allows storage.
   * @param {{storage?: 'localStorage' | 'memory', clock?: () => number}} options
   */
  session(options = {}) {
    const clock = options.clock ?? Date.now;
    // The secret seeds this visitor's decisions; fix it only to replay them (tests).
    const [hi, lo] = options.secret ?? globalThis.crypto.getRandomValues(new Uint32Array(2));
    // In a page, localStorage; elsewhere memory. Decided without touching
    // `localStorage` itself: even reading that property is a storage access
    // (and throws where site data is blocked), so it waits for consent.
    const storage = options.storage ?? (typeof globalThis.document === 'object' ? 'localStorage' : 'memory');
    return new Session(call(() => this.#engine.session(storage, hi, lo, clock())), clock, this.#shared);
  }

  /** Evaluates a condition (or a `hearth.condition(...)`) against `attributes`, with the payload's saved groups. */
  evalCondition(attributes, condition) {
    needs(wasm.WasmCondition, 'evalCondition', 'features');
    const handle = condition instanceof CompiledCondition ? condition.handle : this.#shared.compiled('c', condition);
    return call(() => this.#engine.evalCondition(JSON.stringify(attributes), handle));
  }
}

/** One visitor's evaluation context: attributes, URL, overrides, sticky buckets. */
export class Visitor {
  #v;
  #shared;

  constructor(v, shared) {
    this.#v = v;
    this.#shared = shared;
  }

  /**
   * Evaluates a feature with GrowthBook's semantics. `experiment`, when
   * present, is the rule's experiment definition: shared and frozen.
   */
  evalFeature(key) {
    key = String(key);
    const i = this.#shared.index(key);
    const loc = i >= 0 ? this.#v.evalFeatureAt(i) : this.#v.evalFeatureKey(key);
    return featureResult(readOut(loc), this.#shared.echo);
  }

  /** Evaluates a condition (or a `hearth.condition(...)`) against this visitor's attributes, with the payload's saved groups. */
  evalCondition(condition) {
    const handle = condition instanceof CompiledCondition ? condition.handle : this.#shared.compiled('c', condition);
    return this.#v.evalCompiled(handle);
  }

  isOn(key) {
    return this.evalFeature(key).on;
  }

  isOff(key) {
    return this.evalFeature(key).off;
  }

  /** The feature's value, or `fallback` when it is null. */
  getFeatureValue(key, fallback) {
    const value = this.evalFeature(key).value;
    return value === null ? fallback : value;
  }

  /** Runs an inline experiment (GrowthBook's `run`), a plain definition or a `hearth.experiment(...)`. */
  run(experiment) {
    const handle = experiment instanceof CompiledExperiment ? experiment.handle : this.#shared.compiled('e', experiment);
    return experimentResult(readOut(this.#v.runCompiled(handle)));
  }

  /** URL redirects of the payload's auto experiments for the visitor's URL. */
  urlRedirects() {
    needs(wasm.WasmVisitor.prototype.urlRedirects, 'visitor.urlRedirects', 'full');
    return JSON.parse(this.#v.urlRedirects());
  }

  setAttributes(attributes) {
    call(() => this.#v.setAttributes(JSON.stringify(attributes)));
  }

  get attributes() {
    return JSON.parse(this.#v.attributes());
  }

  setURL(url) {
    this.#v.setUrl(String(url));
  }

  /** Sticky-bucket documents, to persist where the site keeps them. */
  get stickyBucketAssignmentDocs() {
    needs(wasm.WasmVisitor.prototype.stickyBucketAssignmentDocs, 'visitor.stickyBucketAssignmentDocs', 'full');
    return JSON.parse(this.#v.stickyBucketAssignmentDocs());
  }
}

/** One visitor's consent, profile and storage (see `Hearth#session`). */
export class Session {
  #s;
  #clock;
  #shared;
  /** Storage was allowed at some point of this session (so an edge cookie may exist). */
  #storeSeen = false;
  /** The context of the last `decide`: `{object, shape, text}`; and the text last sent. */
  #context;
  #lastContext;

  constructor(s, clock, shared) {
    this.#s = s;
    this.#clock = clock;
    this.#shared = shared;
  }

  /**
   * Applies consent signals: `{tcString, gpp, gpc, dnt, consentMode, choices, withdrawn}`.
   * Returns what is now allowed, why, what was deleted, and signals that were ignored.
   */
  consent(signals = {}) {
    const outcome = JSON.parse(call(() => this.#s.setConsent(JSON.stringify(signals), this.#clock())));
    if (outcome.allowed.includes('store')) this.#storeSeen = true;
    return outcome;
  }

  /** The capabilities consent grants now (`store`, `buildContent`, ...). */
  get allowed() {
    return JSON.parse(this.#s.allowed());
  }

  /**
   * Records an event document: `{type: 'view' | 'click' | 'addToCart' | 'purchase', item}`,
   * `{type: 'search', tag}`, or slot feedback `{type: 'impression' | 'slotClick', slot, variant}`.
   */
  event(event) {
    return JSON.parse(call(() => this.#s.track(JSON.stringify(event), this.#clock())));
  }

  view(item) {
    return this.event({ type: 'view', item });
  }

  click(item) {
    return this.event({ type: 'click', item });
  }

  addToCart(item) {
    return this.event({ type: 'addToCart', item });
  }

  purchase(item) {
    return this.event({ type: 'purchase', item });
  }

  /** Browsing or searching within a taxonomy category (the tag, never the search text). */
  search(tag) {
    return this.event({ type: 'search', tag });
  }

  /** A promotion was shown / dismissed / converted (caps and cooldowns). */
  promotion(id, kind) {
    return JSON.parse(call(() => this.#s.promotion(String(id), String(kind), this.#clock())));
  }

  dismiss(id) {
    return this.promotion(id, 'dismiss');
  }

  pause() {
    this.#s.pause();
  }

  resume() {
    this.#s.resume();
  }

  mute(tag) {
    this.#s.mute(String(tag));
  }

  unmute(tag) {
    this.#s.unmute(String(tag));
  }

  /** Everything hearth holds about the visitor, as a document a person can read. */
  export() {
    return JSON.parse(this.#s.export(this.#clock()));
  }

  /**
   * Removes every stored key and in-memory trace; consent is undetermined
   * again. In a page where storage was allowed, the edge's `hearth` cookie
   * digest is deleted too (`deletedCookies`); without that consent no such
   * cookie can exist, and touching `document.cookie` would itself be an access.
   */
  erase() {
    const erased = JSON.parse(this.#s.erase(this.#clock()));
    if (this.#storeSeen && typeof document === 'object') {
      document.cookie = 'hearth=; Max-Age=0; Path=/; Secure; SameSite=Lax';
      erased.deletedCookies = ['hearth'];
    }
    this.#storeSeen = false;
    return erased;
  }

  /**
   * Decides a page in one call: `{slots: [ids] | 'all', artworks: [itemIds],
   * promotions: [placements], recommend: [{list, k}]}` against a page
   * context `{url, referrer, utcOffsetMinutes, device | userAgent, locale,
   * country, attributes, claims}`. Each answer carries its reason, reason
   * codes and propensity; a request hearth cannot answer is `{error}`.
   */
  page(request, context = {}) {
    return JSON.parse(call(() => this.#s.page(JSON.stringify(request), JSON.stringify(context), this.#clock())));
  }

  /**
   * Prepares one page view (a snapshot of profile, consent and `context`),
   * for deciding it in several calls without preparing it again each time.
   */
  prepare(context = {}) {
    return new PreparedPage(call(() => this.#s.prepare(JSON.stringify(context), this.#clock())), this.#shared);
  }

  /**
   * The chosen variant of one slot (see `page`). Calls with the same context
   * at the same instant, with nothing learned in between, share one prepared
   * page (as `prepare` would), so deciding a page slot by slot costs no more.
   */
  decide(slot, context = {}) {
    slot = String(slot);
    const known = this.#shared.slot(slot);
    if (!known) return this.page({ slots: [slot] }, context).slots[slot];
    return readDecision(this.#onPage(context, (text, now) => this.#s.decideAt(known.index, text, now)), slot, known, this.#shared);
  }

  /** Calls `f(contextText | undefined, now)` on the page `decide` keeps; undefined: the same text as last time. */
  #onPage(context, f) {
    const text = this.#contextText(context);
    // The same text as the last call's need not cross the boundary again.
    const same = text === this.#lastContext;
    this.#lastContext = undefined;
    const at = call(() => f(same ? undefined : text, this.#clock()));
    this.#lastContext = text;
    return at;
  }

  /** `JSON.stringify(context)`, skipped while the last object still serializes the same (see `matches`). */
  #contextText(context) {
    const last = this.#context;
    if (last !== undefined && last.object === context && matches(last.shape, context)) return last.text;
    const text = JSON.stringify(context);
    this.#context = context !== null && typeof context === 'object' ? { object: context, shape: shapeOf(JSON.parse(text)), text } : undefined;
    return text;
  }

  /** Up to `k` recommendations from a list (see `page`). */
  recommend(list, k, context) {
    return this.page({ recommend: [{ list: String(list), ...(k === undefined ? {} : { k }) }] }, context).recommendations[list];
  }

  /** The artwork for each item id, in one call (see `page`; shares `decide`'s prepared page). */
  artworks(items, context = {}) {
    return artworksOf(
      items,
      this.#shared,
      (positions) => this.#onPage(context, (text, now) => this.#s.artworksAt(positions, text, now)),
      (ids) => this.page({ artworks: ids }, context).artworks,
    );
  }

  /** The promotions to show in a placement (see `page`). */
  promotions(placement, context) {
    return this.page({ promotions: [String(placement)] }, context).promotions[placement];
  }

  /**
   * At the edge: adopts the `hearth` cookie value (sticky assignments, coarse
   * interests). Needs store consent, so call `consent()` first. Returns
   * `{ok: true}` or `{ignored: reason}` for a tampered or garbage cookie.
   */
  loadDigest(cookie) {
    needs(wasm.WasmSession.prototype.loadDigest, 'session.loadDigest', 'full');
    return JSON.parse(call(() => this.#s.loadDigest(String(cookie), this.#clock())));
  }

  /** At the edge: the `Set-Cookie` value for the visitor's digest, or `undefined` without store consent. */
  digestCookie() {
    needs(wasm.WasmSession.prototype.digestCookie, 'session.digestCookie', 'full');
    return call(() => this.#s.digestCookie(globalThis.crypto.getRandomValues(new Uint8Array(16)), this.#clock()));
  }

  /**
   * Releases the session's Wasm memory now, rather than whenever the garbage collector gets to
   * it (a host making a session per request, as the edge worker does, should). Pages it
   * prepared stay usable. Any later call throws a HearthError.
   */
  free() {
    this.#s.free();
    this.#s = FREED_SESSION;
  }

  /** Calls made to device storage so far (0 until consent allows storage). */
  get storageCalls() {
    return this.#s.storageCalls();
  }
}

/** A page view prepared by `Session#prepare`: decisions against one snapshot. */
export class PreparedPage {
  #p;
  #shared;

  constructor(p, shared) {
    this.#p = p;
    this.#shared = shared;
  }

  /** Like `Session#page`, against the prepared view. */
  page(request) {
    return JSON.parse(call(() => this.#p.answer(JSON.stringify(request))));
  }

  /** One slot's decision, or `{error}` (see `Session#decide`). */
  decide(slot) {
    slot = String(slot);
    const known = this.#shared.slot(slot);
    if (!known) return this.page({ slots: [slot] }).slots[slot];
    return readDecision(this.#p.decideAt(known.index), slot, known, this.#shared);
  }

  recommend(list, k) {
    return this.page({ recommend: [{ list: String(list), ...(k === undefined ? {} : { k }) }] }).recommendations[list];
  }

  artworks(items) {
    return artworksOf(
      items,
      this.#shared,
      (positions) => this.#p.artworksAt(positions),
      (ids) => this.page({ artworks: ids }).artworks,
    );
  }

  promotions(placement) {
    return this.page({ promotions: [String(placement)] }).promotions[placement];
  }

  /**
   * Epoch ms until which every decision of this page stays as it is, if nothing but the clock
   * moves: at most the next whole minute, earlier when a promotion window opens or closes or a
   * claim expires. A host (the edge worker) may reuse the decisions until then.
   */
  stableUntil() {
    return this.#p.stableUntil();
  }

  /** Releases the page's Wasm memory now (see `Session#free`). Any later call throws a HearthError. */
  free() {
    this.#p.free();
    this.#p = FREED_PAGE;
  }
}

/** An experiment definition compiled by `Hearth#experiment`. */
export class CompiledExperiment {
  constructor(handle) {
    this.handle = handle;
    Object.freeze(this);
  }
}

/** A condition compiled by `Hearth#condition`. */
export class CompiledCondition {
  constructor(handle) {
    this.handle = handle;
    Object.freeze(this);
  }
}

/** Validates a manifest without loading it: every problem with its path ([] when valid). */
export function validate(manifest) {
  return JSON.parse(call(() => exported('validate', 'validate', 'json')(text(manifest))));
}

/** Evaluates a GrowthBook condition against attributes. */
export function evalCondition(attributes, condition, savedGroups = {}) {
  return call(() => exported('evalCondition', 'evalCondition (without a payload)', 'full')(JSON.stringify(attributes), JSON.stringify(condition), JSON.stringify(savedGroups)));
}

/** GrowthBook's utility functions, with the JS SDK's names and results. */
export const growthbook = Object.freeze({
  hash(seed, value, version) {
    return call(() => gb('hash')(String(seed), String(value), version)) ?? null;
  },
  getBucketRanges(numVariations, coverage = 1, weights) {
    return JSON.parse(call(() => gb('bucketRanges')(numVariations, coverage, weights ? JSON.stringify(weights) : undefined)));
  },
  chooseVariation(n, ranges) {
    return call(() => gb('chooseVariation')(n, JSON.stringify(ranges)));
  },
  inNamespace(hashValue, namespace) {
    return call(() => gb('inNamespace')(String(hashValue), JSON.stringify(namespace)));
  },
  getEqualWeights(n) {
    return JSON.parse(call(() => gb('equalWeights')(n)));
  },
  getQueryStringOverride(id, url, numVariations) {
    return call(() => gb('queryStringOverride')(String(id), String(url), numVariations)) ?? null;
  },
  /** Decrypts an encrypted payload section; throws HearthError on failure. */
  decrypt(encrypted, key) {
    return call(() => gb('decrypt')(encrypted, key));
  },
  evalCondition,
});
