// Port: resolves a secret reference from the config (`{ env }` or `{ lockbox }`) to its
// value, boxed so that it cannot be logged by accident. Channels resolve once at start-up.
import type { SecretRef } from '../domain/notify/config.ts';
import type { Secret } from '../domain/notify/secret.ts';

export interface SecretResolver {
  resolve(ref: SecretRef): Promise<Secret>;
}
