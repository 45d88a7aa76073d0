// Reading consent signals and the page context from a request. Nothing here
// logs: cookie and consent values only ever go to the engine.

/** hearth's own consent cookie, written by the site's banner (or hearth's):
 * `hearth_consent=store.content.promotions.measure` lists the granted choices
 * (any of store, content, promotions, measure, sensitive); `none` grants
 * nothing; `withdrawn` withdraws everything. Unknown words are ignored. */
export const CONSENT_COOKIE = 'hearth_consent';
const CHOICES = ['store', 'content', 'promotions', 'measure', 'sensitive'];
/** Cookies the edge reads for itself and does not forward to the origin. */
const EDGE_ONLY = new Set(['hearth', CONSENT_COOKIE]);

/** `Cookie` header -> Map(name -> value); the first occurrence of a name wins; bad escapes are kept raw. */
export function parseCookies(header) {
  const m = new Map();
  if (!header) return m;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || m.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      /* keep raw */
    }
    m.set(name, value);
  }
  return m;
}

/** The Cookie header for the origin: the request's cookies minus hearth's own (null when none are left). */
export function forwardedCookieHeader(header) {
  if (!header) return null;
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && !EDGE_ONLY.has(p.split('=')[0].trim()));
  return kept.length ? kept.join('; ') : null;
}

/** hearth's consent cookie -> `{choices}` / `{withdrawn}` / `{}` when absent. */
export function parseConsentCookie(value) {
  if (value === undefined) return {};
  const words = new Set(String(value).toLowerCase().split(/[.\s+|]+/).filter(Boolean));
  if (words.has('withdrawn')) return { withdrawn: true };
  return { choices: Object.fromEntries(CHOICES.map((c) => [c, words.has(c)])) };
}

/** Every consent signal a request carries, as the engine's `ConsentSignals`. */
export function readConsent(headers, cookies) {
  const signals = {};
  const tc = cookies.get('euconsent-v2');
  if (tc) signals.tcString = tc;
  const gpp = cookies.get('__gpp');
  // `__gpp_sid` lists the applicable sections; the GPP string's own header carries them too, and the
  // engine decodes every section it knows, so the sid cookie is not needed to decide (see README).
  if (gpp) signals.gpp = gpp;
  if ((headers.get('Sec-GPC') ?? '').trim() === '1') signals.gpc = true;
  if ((headers.get('DNT') ?? '').trim() === '1') signals.dnt = true;
  Object.assign(signals, parseConsentCookie(cookies.get(CONSENT_COOKIE)));
  return signals;
}

/** One formatter per time zone (making one costs tens of microseconds; there are a few hundred zones). */
const formatters = new Map();
function formatter(timeZone) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    if (formatters.size >= 1024) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

function utcOffsetMinutes(timeZone, t) {
  if (!timeZone) return undefined;
  try {
    const parts = formatter(timeZone).formatToParts(new Date(t));
    const v = Object.fromEntries(parts.map((p) => [p.type, Number(p.value)]));
    const local = Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute);
    return Math.round((local - Math.floor(t / 60000) * 60000) / 60000);
  } catch {
    return undefined;
  }
}

/**
 * The page context the edge knows: URL (path), referrer, local time offset
 * (Cloudflare's `cf.timezone`, else the `X-Hearth-UTC-Offset` hint header, else UTC),
 * device class (from `Sec-CH-UA-Mobile` or the User-Agent), locale and country
 * (`request.cf.country`, else `CF-IPCountry`). Nothing of it is stored.
 */
export function requestContext(request, t = Date.now(), url = request.url) {
  const h = request.headers;
  const cf = request.cf; // a runtime call on every read
  const ctx = { url };
  const referrer = h.get('Referer');
  if (referrer) ctx.referrer = referrer;
  let offset = utcOffsetMinutes(cf?.timezone, t);
  if (offset === undefined) {
    const hint = Number(h.get('X-Hearth-UTC-Offset'));
    offset = Number.isInteger(hint) && Math.abs(hint) <= 14 * 60 ? hint : 0;
  }
  ctx.utcOffsetMinutes = offset;
  const mobile = h.get('Sec-CH-UA-Mobile');
  if (mobile === '?1') ctx.device = 'mobile';
  const ua = h.get('User-Agent');
  if (ua && !ctx.device) ctx.userAgent = ua;
  const lang = /^\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)/.exec(h.get('Accept-Language') ?? '')?.[1];
  if (lang) ctx.locale = lang;
  const country = (cf?.country ?? h.get('CF-IPCountry') ?? '').toUpperCase();
  if (/^[A-Z]{2}$/.test(country) && country !== 'XX' && country !== 'T1') ctx.country = country;
  return ctx;
}
