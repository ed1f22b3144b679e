// Pure: API key authentication and authorisation. Keys exist only as SHA-256 hashes in the
// configuration (API_KEYS); a presented key is hashed and compared with every stored hash
// by crypto.timingSafeEqual, without stopping at a match, so neither the comparison nor
// the position of the key leaks through timing. A key is accepted from `X-API-Key` (API
// Gateway strips `Authorization` on direct invocation) or `Authorization: Bearer`.
// Nothing here returns or logs the key itself: callers get the key's name and role.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Role, type Route } from '../domain/routes.ts';
import { UploadScope } from '../domain/upload-scope.ts';

export const ApiKeyEntry = z
  .object({
    /** shown in logs instead of the key */
    name: z.string().regex(/^[\w.-]{1,64}$/, 'a key name is 1-64 letters, digits, "_", "." or "-"'),
    role: Role,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected the SHA-256 of the key as 64 lower-case hex digits'),
    /** uploader keys only: `uploader@26` or `uploader@26/<municipality id>` */
    scope: UploadScope.optional(),
  })
  .refine((e) => (e.role === 'uploader') === (e.scope !== undefined), { message: 'an uploader key needs a scope (uploader@<region> or uploader@<region>/<municipality>), and only an uploader key has one' });
export type ApiKeyEntry = z.infer<typeof ApiKeyEntry>;

/**
 * `API_KEYS`: comma-separated `<role>:<sha256 hex>` or `<name>:<role>:<sha256 hex>` entries
 * (the name defaults to the role). Hex is accepted in either case and kept in lower case.
 * An uploader's role carries its scope: `uploader@26` or `uploader@26/izobilnensky`.
 */
export const ApiKeyList = z.string().transform((text, ctx): ApiKeyEntry[] => {
  const entries: ApiKeyEntry[] = [];
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .forEach((item, i) => {
      const parts = item.split(':');
      const [name, roleText, hash] = parts.length === 2 ? [parts[0], parts[0], parts[1]] : parts.length === 3 ? parts : [undefined, undefined, undefined];
      const [role, scopeText] = (roleText ?? '').split('@');
      const [region, municipality] = scopeText === undefined ? [] : scopeText.split('/');
      const scope = scopeText === undefined ? {} : { scope: { region, municipality: municipality ?? null } };
      const r = ApiKeyEntry.safeParse({ name: parts.length === 2 ? role : name, role, sha256: hash?.toLowerCase(), ...scope });
      if (r.success) entries.push(r.data);
      else {
        // The message names the entry by position and never repeats its text (it holds a hash).
        const why = r.error.issues.map((iss) => `${iss.path.join('.') || 'entry'}: ${iss.message}`).join('; ');
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: expected <role>:<sha256 hex> or <name>:<role>:<sha256 hex> with role ${Role.options.join(' or ')} (${why})` });
      }
    });
  return entries;
});

/** The SHA-256 hex of a key: what API_KEYS stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type Principal =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'key'; readonly name: string; readonly role: Role; readonly scope?: UploadScope };

/** The key a request presents: `X-API-Key` first, then `Authorization: Bearer`. */
export function presentedKey(headers: Readonly<Record<string, string>>): string | null {
  const x = headers['x-api-key']?.trim();
  if (x) return x;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers['authorization'] ?? '');
  return m ? m[1]! : null;
}

export function authenticate(headers: Readonly<Record<string, string>>, keys: readonly ApiKeyEntry[]): Principal {
  const key = presentedKey(headers);
  if (key === null) return { kind: 'missing' };
  const presented = createHash('sha256').update(key, 'utf8').digest();
  let found: ApiKeyEntry | null = null;
  for (const entry of keys) {
    // every entry is compared, a match or not, so the time does not depend on its position
    const equal = timingSafeEqual(presented, Buffer.from(entry.sha256, 'hex'));
    if (equal && found === null) found = entry;
  }
  return found ? { kind: 'key', name: found.name, role: found.role, ...(found.scope ? { scope: found.scope } : {}) } : { kind: 'unknown' };
}

export type AccessDecision = { readonly kind: 'allow' } | { readonly kind: 'unauthenticated'; readonly reason: 'missing' | 'unknown' } | { readonly kind: 'forbidden'; readonly role: Role };

/** 401 without a valid key, 403 for a valid key whose role the route does not admit. */
export function decideAccess(route: Route, principal: Principal): AccessDecision {
  if (route.access === 'public') return { kind: 'allow' };
  if (principal.kind !== 'key') return { kind: 'unauthenticated', reason: principal.kind };
  return route.access.includes(principal.role) ? { kind: 'allow' } : { kind: 'forbidden', role: principal.role };
}
