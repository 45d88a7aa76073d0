// hearth's compact cookie digest at the edge. The format and its codec are
// Rust's (src/store/digest.rs), reached through the session:
// `session.loadDigest(value)` adopts it (with store consent only) and
// `session.digestCookie()` gives the Set-Cookie value to write back.

export const DIGEST_COOKIE = 'hearth';

/** The Set-Cookie value that deletes the digest (consent for storage withdrawn or refused). */
export function deleteDigestCookie() {
  return `${DIGEST_COOKIE}=; Max-Age=0; Path=/; Secure; SameSite=Lax`;
}
