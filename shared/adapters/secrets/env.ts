// Adapter: secret references resolved from the environment (`{ env: "NAME" }`), which is
// where Cloud Functions put Lockbox secrets mapped to a function version. Direct `{ lockbox }`
// references need the Lockbox payload API and are refused here with a ConfigError.
// Errors name the variable, never a value.
import { ConfigError } from '../../domain/errors.ts';
import type { SecretRef } from '../../domain/notify/config.ts';
import { Secret } from '../../domain/notify/secret.ts';
import type { SecretResolver } from '../../ports/secrets.ts';

export class EnvSecretResolver implements SecretResolver {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  async resolve(ref: SecretRef): Promise<Secret> {
    if ('lockbox' in ref) {
      throw new ConfigError('a Lockbox secret reference needs the Lockbox resolver; map the secret to an environment variable instead');
    }
    const v = this.env[ref.env];
    if (v === undefined || v === '') throw new ConfigError(`secret environment variable ${ref.env} is not set`);
    return new Secret(v);
  }
}
