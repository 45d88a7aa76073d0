// hearth's JavaScript API over the wasm-bindgen glue. It converts values and
// maps errors; every decision is made in Rust. Load it through an entry
// point (node.js, browser.js, workerd.js), which first instantiates the Wasm.
import * as wasm from './hearth_wasm.js';

/** An error from hearth. `issues` lists every problem, each with its path. */
export class HearthError extends Error {
  constructor(message, issues = []) {
    super(message);
    this.name = 'HearthError';
    this.issues = issues;
  }
}

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

/** Freezes `o` and everything in it: shared definitions must not be edited by one caller for all. */
function deepFreeze(o) {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** A loaded manifest (or bare GrowthBook payload): parse and validate once, evaluate many times. */
export class Hearth {
  #engine;
  /** Experiment definitions of the payload's rules, parsed once, by id. */
  #echoes = [];

  constructor(engine) {
    this.#engine = engine;
  }

  #echo(id) {
    return (this.#echoes[id] ??= deepFreeze(JSON.parse(this.#engine.experimentEcho(id))));
  }

  /**
   * Parses and validates `manifest` (an object or JSON text).
   * Throws a HearthError listing every problem with its path.
   */
  static load(manifest, options = {}) {
    return new Hearth(call(() => wasm.WasmEngine.load(text(manifest), options.decryptionKey)));
  }

  /** A one-line description: what the manifest holds. */
  get summary() {
    return this.#engine.summary();
  }

  /** A visitor context for evaluating features and experiments. */
  visitor(context = {}) {
    return new Visitor(
      call(() => this.#engine.visitor(JSON.stringify(context))),
      (id) => this.#echo(id),
    );
  }

  /** Evaluates a condition against `attributes`, with the payload's saved groups. */
  evalCondition(attributes, condition) {
    return call(() => this.#engine.evalCondition(JSON.stringify(attributes), JSON.stringify(condition)));
  }
}

/** One visitor's evaluation context: attributes, URL, overrides, sticky buckets. */
export class Visitor {
  #v;
  #echo;

  constructor(v, echo) {
    this.#v = v;
    this.#echo = echo;
  }

  /**
   * Evaluates a feature with GrowthBook's semantics. `experiment`, when
   * present, is the rule's experiment definition: shared and frozen.
   */
  evalFeature(key) {
    const r = JSON.parse(this.#v.evalFeature(String(key)));
    if (typeof r.experiment === 'number') r.experiment = this.#echo(r.experiment);
    return r;
  }

  /** Evaluates a condition against this visitor's attributes, with the payload's saved groups. */
  evalCondition(condition) {
    return call(() => this.#v.evalCondition(JSON.stringify(condition)));
  }

  isOn(key) {
    return this.#v.isOn(String(key));
  }

  isOff(key) {
    return !this.#v.isOn(String(key));
  }

  /** The feature's value, or `fallback` when it is null. */
  getFeatureValue(key, fallback) {
    const value = JSON.parse(this.#v.featureValue(String(key)));
    return value === null ? fallback : value;
  }

  /** Runs an inline experiment (GrowthBook's `run`). */
  run(experiment) {
    return JSON.parse(call(() => this.#v.run(JSON.stringify(experiment))));
  }

  /** URL redirects of the payload's auto experiments for the visitor's URL. */
  urlRedirects() {
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
    return JSON.parse(this.#v.stickyBucketAssignmentDocs());
  }
}

/** Validates a manifest without loading it: every problem with its path ([] when valid). */
export function validate(manifest) {
  return JSON.parse(wasm.validate(text(manifest)));
}

/** Evaluates a GrowthBook condition against attributes. */
export function evalCondition(attributes, condition, savedGroups = {}) {
  return wasm.evalCondition(JSON.stringify(attributes), JSON.stringify(condition), JSON.stringify(savedGroups));
}

/** GrowthBook's utility functions, with the JS SDK's names and results. */
export const growthbook = Object.freeze({
  hash(seed, value, version) {
    return wasm.gbHash(String(seed), String(value), version) ?? null;
  },
  getBucketRanges(numVariations, coverage = 1, weights) {
    return JSON.parse(wasm.gbBucketRanges(numVariations, coverage, weights ? JSON.stringify(weights) : undefined));
  },
  chooseVariation(n, ranges) {
    return wasm.gbChooseVariation(n, JSON.stringify(ranges));
  },
  inNamespace(hashValue, namespace) {
    return wasm.gbInNamespace(String(hashValue), JSON.stringify(namespace));
  },
  getEqualWeights(n) {
    return JSON.parse(wasm.gbEqualWeights(n));
  },
  getQueryStringOverride(id, url, numVariations) {
    return wasm.gbQueryStringOverride(String(id), String(url), numVariations) ?? null;
  },
  /** Decrypts an encrypted payload section; throws HearthError on failure. */
  decrypt(encrypted, key) {
    return call(() => wasm.gbDecrypt(encrypted, key));
  },
  evalCondition,
});
