// Types for hearth's declarative browser layer (dom.js).
import type {
  ArtworkChoice,
  Capability,
  ConsentOutcome,
  ConsentSignals,
  DecisionError,
  Hearth,
  Learned,
  PageContext,
  ProfileExport,
  PromotionAnswer,
  Recommendation,
  Session,
  SessionOptions,
  SlotDecision,
} from './hearth.js';

/** What `init({manifest, ...})` takes. */
export interface PageOptions {
  /**
   * The manifest's URL (fetched same-origin; a compiled manifest, `hearth compile`, is told from
   * JSON by its first bytes), the manifest itself, or a compiled manifest's bytes. The browser
   * build (the default Wasm) loads hearth manifests compiled; JSON ones need `wasmUrl` set to the
   * full build (GrowthBook payloads load as JSON in both).
   */
  manifest: string | URL | object | Uint8Array | ArrayBuffer;
  /** Where the Wasm is (or a Request, Response, compiled module or bytes); default the page build, `hearth_browser_bg.wasm`, next to the module. */
  wasmUrl?: string | URL | Request | Response | WebAssembly.Module | ArrayBuffer | ArrayBufferView;
  /**
   * Loads `hearth_features_bg.wasm` instead: the page build with GrowthBook features and
   * experiments (`hearth.visitor`, `run`, `evalCondition`), for pages that evaluate feature flags.
   */
  features?: boolean;
  /** The GrowthBook SDK's decryption key, for a payload with encrypted sections (decrypted with WebCrypto; with `features: true`, as the page build loads compiled manifests only). */
  decryptionKey?: string;
  /** Consent the site already knows (its own banner's stored choice, Consent Mode...). GPC, DNT and a TCF CMP are read as well. */
  consent?: ConsentSignals;
  /** Where the profile lives once consent allows storage (default `localStorage`). */
  storage?: 'localStorage' | 'memory';
  /** Longest placements stay hidden waiting for a decision, in ms (default 300); then the page's defaults show. */
  timeoutMs?: number;
  /** Extra page context: attributes, claims, country... (the URL, referrer, device and locale are read from the browser). */
  context?: PageContext;
  /** Session options (`clock`, a fixed `secret` for replaying decisions in tests). */
  session?: Omit<SessionOptions, 'storage'>;
  /** `false`: do not adopt the hiding stylesheet (the site links its own copy of `HIDE_CSS`). */
  styles?: boolean;
  /** `false`: do not fill placements added after the first fill. */
  observe?: boolean;
  /** Called with every problem (the console gets only the first). */
  onError?: (error: Error) => void;
}

/** A decision that was shown, reported once per decision while `measure` is allowed. */
export type Exposure =
  | { kind: 'slot'; slot: string; variant: string; propensity: number; explored: boolean; codes: string[] }
  | { kind: 'artwork'; item: string; artwork: string; propensity: number; explored: boolean }
  | { kind: 'promotion'; placement: string; promotion: string; reason: string }
  | { kind: 'recommendations'; list: string; items: string[] };

export interface PageTimings {
  /** `performance.now()` when the module started. */
  scriptStart: number;
  /** From script start to every placement filled, in ms. */
  filled: number;
  /** From navigation start to every placement filled, in ms. */
  sinceNavigation: number;
  /** The timeout fired first, so the defaults were shown. */
  timedOut: boolean;
}

/** The answers behind what the page shows, with their reasons. */
export interface PageDecisions {
  slots: { [slot: string]: SlotDecision | DecisionError };
  artworks: { [item: string]: ArtworkChoice | DecisionError };
  promotions: { [placement: string]: PromotionAnswer | DecisionError };
  /** Keyed `list|k`. */
  recommendations: { [listAndK: string]: Recommendation[] | DecisionError };
  segments: string[];
}

/** hearth running on a page (what `init({manifest})` resolves to; it never rejects). */
export class HearthPage {
  private constructor();
  /** Undefined when loading failed. */
  readonly engine: Hearth | undefined;
  /** Undefined when loading failed. */
  readonly session: Session | undefined;
  /** The manifest document, when it was JSON and parsed; for a compiled manifest, its labels (`Hearth#labels`). */
  readonly manifest: object | undefined;
  /** Why hearth is not running (the page keeps its defaults), or undefined. */
  readonly error: string | undefined;
  readonly timings: PageTimings | undefined;
  readonly rejectedClaims: Array<{ index: number; trait: string | null; problem: string }>;
  readonly allowed: Capability[];
  readonly signals: ConsentSignals;
  readonly context: PageContext;
  readonly decisions: PageDecisions;
  /** Merges signals into those known, applies them and decides the page again. */
  consent(signals?: ConsentSignals): ConsentOutcome | undefined;
  /** Merges into the page context and decides again; new signed claims are checked meanwhile and the page decides again with them (`presentClaims` waits instead). */
  setContext(context: PageContext): void;
  /** Presents signed claims (after login): checked with WebCrypto, then the page decides again. */
  presentClaims(claims: string[]): Promise<void>;
  /** Decides every placement again from the page's defaults (route change, login...). */
  refresh(): void;
  onExposure(cb: (exposure: Exposure) => void): () => void;
  view(item: string): Learned | undefined;
  click(item: string): Learned | undefined;
  addToCart(item: string): Learned | undefined;
  purchase(item: string): Learned | undefined;
  search(tag: string): Learned | undefined;
  dismiss(promotion: string): Learned | undefined;
  convert(promotion: string): Learned | undefined;
  export(): ProfileExport | undefined;
  pause(): void;
  resume(): void;
  mute(tag: string): void;
  unmute(tag: string): void;
  erase(): { removed: string[]; failed?: string } | undefined;
  disconnect(): void;
}

/** The CSS that hides placements until decided (with a CSS-only 1.5 s reveal). */
export const HIDE_CSS: string;

/** Starts hearth on the page (what `init({manifest})` does). */
export function mount(options: PageOptions): Promise<HearthPage>;

/** `value` if it is an http(s) URL once resolved against the page, else null. */
export function safeUrl(value: string | number): string | null;
