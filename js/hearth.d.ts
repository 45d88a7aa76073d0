// Types for hearth's public JavaScript API.

/** One problem in a manifest, with where it is. */
export interface Issue {
  /** e.g. `slots.hero.variants[2].weight`; empty for the whole document. */
  path: string;
  /** e.g. `must be between 0 and 1`. */
  message: string;
}

/** Every error hearth throws. `issues` lists each problem when there are several. */
export class HearthError extends Error {
  readonly name: 'HearthError';
  readonly issues: Issue[];
}

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Visitor attributes used in targeting conditions. */
export type Attributes = { [key: string]: Json };

/** A GrowthBook condition (MongoDB-style). */
export type Condition = { [key: string]: Json };

/** `[start, end)` in bucket space (0 to 1). */
export type VariationRange = [number, number];

export interface VariationMeta {
  key?: string;
  name?: string;
  passthrough?: boolean;
}

export interface Filter {
  seed: string;
  ranges: VariationRange[];
  hashVersion?: number;
  attribute?: string;
}

export interface ParentCondition {
  id: string;
  condition: Condition;
  gate?: boolean;
}

export interface UrlTarget {
  include: boolean;
  type: 'regex' | 'simple';
  pattern: string;
}

/** A GrowthBook experiment definition. */
export interface Experiment<T extends Json = Json> {
  key: string;
  variations: T[];
  weights?: number[];
  coverage?: number;
  ranges?: VariationRange[];
  meta?: VariationMeta[];
  filters?: Filter[];
  seed?: string;
  name?: string;
  phase?: string;
  urlPatterns?: UrlTarget[];
  condition?: Condition;
  parentConditions?: ParentCondition[];
  namespace?: [string, number, number];
  force?: number;
  hashAttribute?: string;
  fallbackAttribute?: string;
  hashVersion?: number;
  disableStickyBucketing?: boolean;
  bucketVersion?: number;
  minBucketVersion?: number;
  active?: boolean;
  persistQueryString?: boolean;
  status?: 'draft' | 'running' | 'stopped';
  groups?: string[];
  /** Anything else the experiment carries (GrowthBook passes unknown fields through). */
  [extra: string]: unknown;
}

/** The outcome of running an experiment for a visitor. */
export interface ExperimentResult<T extends Json = Json> {
  value: T;
  variationId: number;
  key: string;
  name?: string;
  inExperiment: boolean;
  hashUsed?: boolean;
  hashAttribute: string;
  hashValue: string;
  featureId: string | null;
  bucket?: number;
  passthrough?: boolean;
  stickyBucketUsed?: boolean;
  leafId?: number;
  variationWeights?: number[];
  banditVersion?: number;
}

export type FeatureResultSource =
  | 'unknownFeature'
  | 'defaultValue'
  | 'force'
  | 'override'
  | 'experiment'
  | 'prerequisite'
  | 'cyclicPrerequisite';

/** The outcome of evaluating a feature for a visitor. */
export interface FeatureResult<T extends Json = Json> {
  value: T | null;
  on: boolean;
  off: boolean;
  source: FeatureResultSource;
  ruleId: string;
  experiment?: Readonly<Experiment<T>>;
  experimentResult?: ExperimentResult<T>;
}

export interface StickyAssignmentsDocument {
  attributeName: string;
  attributeValue: string;
  assignments: { [experimentKey: string]: string };
}

/** Everything a visitor context can carry; all optional. */
export interface VisitorContext {
  attributes?: Attributes;
  /** The page URL, for URL targeting, query-string overrides and redirects. */
  url?: string;
  /** Experiment key -> forced variation index. */
  forcedVariations?: { [experimentKey: string]: number };
  /** Feature key -> forced value. */
  forcedFeatures?: { [featureKey: string]: Json };
  /** GrowthBook's QA mode: no random assignment. */
  qaMode?: boolean;
  /** `false` turns every experiment off. */
  enabled?: boolean;
  /** Sticky bucket documents previously persisted, keyed `attribute||value`. */
  stickyBucketAssignmentDocs?: { [key: string]: StickyAssignmentsDocument };
}

export interface LoadOptions {
  /**
   * The SDK's decryption key, for payloads with encrypted features or saved groups. `load` decrypts
   * with the full build's AES; the browser build has none: use `loadAsync` (WebCrypto) there.
   */
  decryptionKey?: string;
}

/** A redirect asked for by one of the payload's URL-redirect experiments. */
export interface UrlRedirect {
  /** The experiment's key. */
  experiment: string;
  inExperiment: boolean;
  /** The variation's target URL. */
  urlRedirect: string;
  /** The target with the current URL's query merged in (`persistQueryString`). */
  urlWithParams: string;
}

/** `Hearth#labels`: the manifest's names for people, in the manifest document's shape. */
export interface ManifestLabels {
  readonly taxonomy: { readonly tags: Readonly<Record<string, { readonly label: string; readonly sensitive: boolean; readonly parent?: string }>> };
  readonly slots: Readonly<Record<string, { readonly label?: string; readonly variants: readonly { readonly id: string; readonly label?: string }[] }>>;
  readonly promotions: Readonly<Record<string, { readonly label?: string; readonly placement: string }>>;
  readonly segments: Readonly<Record<string, { readonly label: string }>>;
}

/** A loaded manifest: parsed and validated once, then evaluated per visitor. */
export class Hearth {
  private constructor();
  /**
   * A compiled manifest (bytes), or a JSON manifest or GrowthBook payload (object or text).
   * Throws a HearthError whose `issues` lists every problem with its path. The page build
   * (`hearth_browser_bg.wasm`, what `init()` loads by default) loads compiled manifests only; the
   * features build also loads GrowthBook payloads, the full build everything.
   */
  static load(manifest: object | string | Uint8Array | ArrayBuffer, options?: LoadOptions): Hearth;
  /**
   * Validates a manifest and compiles it into bytes `load` reads back without validating again
   * (several times faster to load; the browser build loads hearth manifests only this way). Full
   * build only (Node, workerd; `hearth compile` on the command line); throws a HearthError listing
   * every problem. A manifest with encrypted GrowthBook sections is refused.
   */
  static compile(manifest: object | string): Uint8Array;
  /**
   * `load` with encrypted GrowthBook sections decrypted first by the platform's WebCrypto, as
   * GrowthBook's JS SDK does: how an encrypted payload loads in the features build
   * (`hearth_features_bg.wasm`). Rejects with a HearthError naming the section that would not decrypt.
   */
  static loadAsync(manifest: object | string | Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<Hearth>;
  /**
   * A one-line description of what the manifest holds, for developers (what `hearth check`
   * prints). Not in the page build (`hearth_browser_bg.wasm`): reading it there throws a
   * HearthError naming the builds that have it (the features build and the full build).
   */
  readonly summary: string;
  /**
   * The names the manifest gives people to read (tag, slot, variant, promotion and segment
   * labels), shaped like the manifest document: what a "Your data" panel shows, whether the
   * manifest was loaded from JSON or compiled.
   */
  readonly labels: ManifestLabels;
  /**
   * Checks signed claims against the manifest's `claims.publicKey` with WebCrypto (Ed25519) and
   * tells the engine: the browser build has no Ed25519 of its own and ignores claims it was not
   * told about (`unverified`). The full build verifies them itself. Resolves to those that verified.
   */
  verifyClaims(claims: string[]): Promise<string[]>;
  /**
   * A visitor for GrowthBook features and experiments. Not in the browser's page build
   * (`hearth_browser_bg.wasm`, throws a HearthError saying so): pages that evaluate features load
   * `hearth_features_bg.wasm` (`init({features: true})`). The same holds for `evalCondition`,
   * `experiment` and `condition`.
   */
  visitor(context?: VisitorContext): Visitor;
  /** Evaluates a condition against `attributes`, with the payload's saved groups. */
  evalCondition(attributes: Attributes, condition: Condition): boolean;
  /** A visitor session: consent, the on-device profile and its storage. Touches no storage until consent allows it. */
  session(options?: SessionOptions): Session;
  /** Compiles an experiment definition once, for `Visitor.run` over many visitors. */
  experiment<T extends Json>(definition: Experiment<T>): CompiledExperiment<T>;
  /** Compiles a condition once, for `Visitor.evalCondition` over many visitors. */
  condition(condition: Condition): CompiledCondition;
}

export interface SessionOptions {
  /** Where the profile is kept once consent allows: `localStorage` (default in a browser) or `memory`. */
  storage?: 'localStorage' | 'memory';
  /** Epoch milliseconds now (default `Date.now`). */
  clock?: () => number;
  /** Two 32-bit halves of the visitor's decision secret; random by default. Fix it only to replay decisions (tests). */
  secret?: [number, number];
}

/** Google Consent Mode v2 states hearth reads. */
export type ConsentModeState = 'granted' | 'denied';

/** Every consent signal the page knows; all optional. */
export interface ConsentSignals {
  /**
   * IAB TCF v2.2/2.3 TC string (purpose 1 storage, 5/6 content, 3/4 promotions, 7/8 measurement).
   * Decoded by the full build only (Node, workerd, `hearth_wasm_bg.wasm`); the browser build reads
   * `tcfPurposes` instead, and a string without them there grants nothing.
   */
  tcString?: string;
  /**
   * The TCF purposes (1-24) with consent, as the page's CMP decoded them (`TCData.purpose.consents`);
   * `init` passes them. Where a `tcString` decodes, the string wins.
   */
  tcfPurposes?: number[];
  /**
   * A GPP string (TCF EU, USP v1, US national/state sections with their GPC field). Decoded by the
   * full build only; the browser build reads any GPP string as an opt-out.
   */
  gpp?: string;
  /** `navigator.globalPrivacyControl` / `Sec-GPC: 1`: no profile-based promotions. */
  gpc?: boolean;
  /** Do Not Track: no profile-based promotions. */
  dnt?: boolean;
  consentMode?: Partial<Record<'ad_personalization' | 'ad_user_data' | 'analytics_storage' | 'personalization_storage' | 'functionality_storage' | 'ad_storage' | 'security_storage', ConsentModeState>>;
  /** The site's own banner (or hearth's): what the visitor chose. `sensitive` covers the manifest's learnable sensitive topics. */
  choices?: { store?: boolean; content?: boolean; promotions?: boolean; measure?: boolean; sensitive?: boolean };
  /** The visitor withdrew consent: nothing is allowed. */
  withdrawn?: boolean;
}

export type Capability = 'store' | 'buildContent' | 'useContent' | 'buildPromotions' | 'usePromotions' | 'measure';

export interface ConsentOutcome {
  allowed: Capability[];
  /** In words a visitor can read. */
  why: string[];
  /** Namespaces deleted by this change (a downgrade). */
  deleted: Array<'storage' | 'content' | 'promotions'>;
  /** Consent strings that did not decode, with why; they count as no signal. */
  ignored: string[];
  /** A stored profile could not be read and was discarded. */
  reset?: string;
  /** Storage threw, so the profile lives in memory for this page. */
  storageDegraded?: string;
}

export interface Learned {
  learned: boolean;
  why?: string;
}

/** The visitor's data, readable by a person (also what "Your data" shows). */
export interface ProfileExport {
  format: string;
  firstSeen: string;
  lastSeen: string;
  visits: number;
  sessions: number;
  purchases: number;
  paused: boolean;
  /** `strength`: 0-100, relative to the strongest topic (which is 100); `score`: the decayed affinity itself. */
  topics: Array<{ tag: string; label: string; strength: number; score: number }>;
  recentItems: Array<{ item: string; title: string | null; seen: string; day: string }>;
  muted: string[];
  promotions: Array<{ promotion: string; shown: number; dismissed: string | null; converted: string | null }>;
  stickyAssignments: { [experiment: string]: string };
  declaredTraits: { [trait: string]: string };
  consent: { allowed: Capability[]; why: string[]; since: string | null };
  storedWhere: string;
}

/** One visitor's consent, profile and storage. */
export class Session {
  private constructor();
  consent(signals?: ConsentSignals): ConsentOutcome;
  readonly allowed: Capability[];
  /** Records an event document (what `view`, `purchase`... send), including slot feedback. */
  event(event: { type: 'view' | 'click' | 'addToCart' | 'purchase'; item: string } | { type: 'search'; tag: string } | { type: 'impression' | 'slotClick'; slot: string; variant: string }): Learned;
  view(item: string): Learned;
  click(item: string): Learned;
  addToCart(item: string): Learned;
  purchase(item: string): Learned;
  search(tag: string): Learned;
  promotion(id: string, kind: 'impression' | 'dismiss' | 'conversion'): Learned;
  dismiss(id: string): Learned;
  pause(): void;
  resume(): void;
  mute(tag: string): void;
  unmute(tag: string): void;
  export(): ProfileExport;
  /** `removed`: the storage keys removed; `deletedCookies`: cookies deleted (the edge digest, when storage was allowed). */
  erase(): { removed: string[]; failed?: string; deletedCookies?: string[] };
  /** At the edge: adopts the `hearth` cookie value (needs store consent; call `consent()` first). Full build only: the browser build (what `init()` loads by default) throws a HearthError. */
  loadDigest(cookie: string): { ok: true } | { ignored: string };
  /** At the edge: the `Set-Cookie` value for the visitor's digest (`Secure; SameSite=Lax; Path=/`), or undefined without store consent. Full build only: the browser build (what `init()` loads by default) throws a HearthError. */
  digestCookie(): string | undefined;
  /** Decides a page in one call. */
  page(request: PageRequest, context?: PageContext): PageAnswer;
  /** Prepares one page view (a snapshot of profile, consent and context) for several decisions. */
  prepare(context?: PageContext): PreparedPage;
  decide(slot: string, context?: PageContext): SlotDecision | DecisionError;
  recommend(list: string, k?: number, context?: PageContext): Recommendation[] | DecisionError;
  artworks(items: string[], context?: PageContext): { [item: string]: ArtworkChoice | DecisionError };
  promotions(placement: string, context?: PageContext): PromotionAnswer | DecisionError;
  /** Calls made to device storage so far (0 until consent allows storage). */
  readonly storageCalls: number;
  /**
   * Releases the session's Wasm memory now instead of when the garbage collector gets to it: a
   * host making a session per request (as the edge worker does) should, or the Wasm memory grows
   * by a few KB per session until then (and Wasm memory never shrinks). Pages it prepared stay
   * usable. Any later call throws a HearthError.
   */
  free(): void;
}

/** A page view prepared by `Session.prepare`: decisions against one snapshot, without preparing again. */
export class PreparedPage {
  private constructor();
  page(request: PageRequest): PageAnswer;
  decide(slot: string): SlotDecision | DecisionError;
  recommend(list: string, k?: number): Recommendation[] | DecisionError;
  artworks(items: string[]): { [item: string]: ArtworkChoice | DecisionError };
  promotions(placement: string): PromotionAnswer | DecisionError;
  /**
   * Epoch ms until which every decision of this page stays as it is if nothing but the clock
   * moves (the same session, consent and context): at most the next whole minute, earlier when a
   * promotion's window opens or closes or a verified claim expires.
   */
  stableUntil(): number;
  /** Releases the page's Wasm memory now (see `Session#free`). Any later call throws a HearthError. */
  free(): void;
}

/** What the page shows: slots, artworks, promotion placements, recommendation lists. */
export interface PageRequest {
  slots?: string[] | 'all';
  artworks?: string[];
  promotions?: string[];
  recommend?: Array<{ list: string; k?: number }>;
}

/** The page view: used in conditions (`context.*`) and for dayparts; nothing of it is stored. */
export interface PageContext {
  url?: string;
  path?: string;
  /** The referrer URL; only its category (direct, internal, search, social, email, other) is used. */
  referrer?: string;
  /** `-new Date().getTimezoneOffset()`. */
  utcOffsetMinutes?: number;
  device?: 'mobile' | 'tablet' | 'desktop';
  /** Classified into a device when `device` is absent; not stored. */
  userAgent?: string;
  locale?: string;
  /** ISO 3166-1 alpha-2 hint. */
  country?: string;
  attributes?: Attributes;
  /** Signed claims (loyalty tier, birth month...): verified against the manifest's key; others ignored with a reason. */
  claims?: string[];
  /** Randomization epoch; default: the visitor's local day. */
  epoch?: number;
}

export interface DecisionError {
  error: string;
}

export interface SlotDecision {
  slot: string;
  variant: string;
  /** The variant's content; from `decide`, shared and frozen. */
  content: Readonly<{ [field: string]: Json }>;
  strategy: 'experiment' | 'rules' | 'affinity' | 'bandit';
  /** For people: "because you often look at Trail running". */
  reason: string;
  /** Machine reason codes; from `decide`, a shared frozen list. */
  codes: readonly string[];
  /** Probability this policy had of choosing this variant (for off-policy evaluation). */
  propensity: number;
  explored: boolean;
}

export interface ArtworkChoice {
  artwork: string;
  /** The artwork's content (`src`, `alt`...); from `artworks`, shared and frozen. */
  content: Readonly<{ [field: string]: Json }>;
  reason: string;
  /** From `artworks`, a shared frozen list. */
  codes: readonly string[];
  propensity: number;
  explored: boolean;
}

export interface PromotionAnswer {
  chosen: Array<{ promotion: string; content: { [field: string]: Json }; score: number; reason: string }>;
  skipped: Array<{ promotion: string; why: string }>;
}

export interface Recommendation {
  item: string;
  title: string | null;
  content: { [field: string]: Json };
  score: number;
  reason: string;
  codes: string[];
}

export interface PageAnswer {
  slots: { [slot: string]: SlotDecision | DecisionError };
  artworks: { [item: string]: ArtworkChoice | DecisionError };
  promotions: { [placement: string]: PromotionAnswer | DecisionError };
  recommendations: { [list: string]: Recommendation[] | DecisionError };
  segments: string[];
  rejectedClaims: Array<{ index: number; trait: string | null; problem: string }>;
}

/** An experiment definition compiled by `Hearth.experiment`. */
export class CompiledExperiment<T extends Json = Json> {
  private constructor();
  private readonly __variation?: T;
}

/** A condition compiled by `Hearth.condition`. */
export class CompiledCondition {
  private constructor();
}

/** One visitor's evaluation context. */
export class Visitor {
  private constructor();
  /** `experiment`, when present, is the rule's experiment definition: shared and frozen. */
  evalFeature<T extends Json = Json>(key: string): FeatureResult<T>;
  /** Evaluates a condition against this visitor's attributes, with the payload's saved groups. */
  evalCondition(condition: Condition | CompiledCondition): boolean;
  isOn(key: string): boolean;
  isOff(key: string): boolean;
  getFeatureValue<T extends Json>(key: string, fallback: T): T;
  run<T extends Json>(experiment: Experiment<T> | CompiledExperiment<T>): ExperimentResult<T>;
  /** URL redirects of the payload's auto experiments for the visitor's URL. Full build only: the browser build (what `init()` loads by default) throws a HearthError. */
  urlRedirects(): UrlRedirect[];
  setAttributes(attributes: Attributes): void;
  readonly attributes: Attributes;
  setURL(url: string): void;
  /** Sticky-bucket documents, to persist where the site keeps them. Full build only: the browser build (what `init()` loads by default) throws a HearthError. */
  readonly stickyBucketAssignmentDocs: { [key: string]: StickyAssignmentsDocument };
}

/** In the browser: loads the Wasm and the manifest, applies consent and fills the page's `data-hearth-*` placements (see dom.d.ts). */
export function init(options: import('./dom.js').PageOptions): Promise<import('./dom.js').HearthPage>;
/**
 * Loads the Wasm. In the browser call it once before anything else; elsewhere it resolves at once.
 * In the browser it loads the page build (`hearth_browser_bg.wasm`) unless `wasm` names another,
 * such as the features build (`hearth_features_bg.wasm`) or the full build (`hearth_wasm_bg.wasm`):
 * its URL, a Request or Response for it, the compiled module or its bytes. The glue that build
 * needs is fetched with it.
 */
export function init(wasm?: string | URL | Request | Response | WebAssembly.Module | ArrayBuffer | ArrayBufferView): Promise<void>;

/** Every problem with its path; `[]` when the manifest is valid. Not in the page build (`hearth_browser_bg.wasm`): throws a HearthError there. */
export function validate(manifest: object | string): Issue[];

/** A GrowthBook condition against attributes, without a payload (`Hearth#evalCondition` has one). Full build only: the browser build (what `init()` loads by default) throws a HearthError. */
export function evalCondition(attributes: Attributes, condition: Condition, savedGroups?: { [id: string]: Json }): boolean;

/** GrowthBook's utility functions, same names and results as the JS SDK. Full build only: the browser build (what `init()` loads by default) throws a HearthError. */
export const growthbook: {
  hash(seed: string, value: string, version: number): number | null;
  getBucketRanges(numVariations: number, coverage?: number, weights?: number[]): VariationRange[];
  chooseVariation(n: number, ranges: VariationRange[]): number;
  inNamespace(hashValue: string, namespace: [string, number, number]): boolean;
  getEqualWeights(n: number): number[];
  getQueryStringOverride(id: string, url: string, numVariations: number): number | null;
  decrypt(encrypted: string, key: string): string;
  evalCondition: typeof evalCondition;
};

export * from './dom.js';
