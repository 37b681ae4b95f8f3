/** The notification module wired from the configuration: used by `tocsin serve` and `tocsin notify run`. */
import { readFileSync } from 'node:fs';
import type { Config } from '../platform/config.ts';
import type { Store } from '../platform/db/index.ts';
import { loadRoutingProfile, type RoutingProfile } from '../routing/index.ts';
import type { NotifierDeps } from './notifier.ts';
import { loadNotificationPolicy } from './policy.ts';
import { SmtpWorkerPool } from './smtp-transport.ts';
import { loadTemplates } from './templates.ts';

/**
 * What a notification run needs, from the configuration: the policy, the templates (both validated here,
 * so a broken template stops start-up with its file named), the outward identity and desks, and the
 * OpenPGP signing key when one is configured (unlocked on first use; `checkSigningKey` at start-up).
 */
export function createNotifier(
  config: Config,
  store: Store,
  profile: Pick<RoutingProfile, 'identity' | 'desks'> = loadRoutingProfile(config.routingProfile),
): NotifierDeps {
  const policy = loadNotificationPolicy(config.notificationConfig);
  return {
    store,
    policy,
    templates: loadTemplates(policy.templatesDir),
    profile: { identity: profile.identity, desks: profile.desks },
    secret: config.secret,
    publicUrl: config.publicUrl,
    ...(config.openpgp === undefined
      ? {}
      : {
          openpgp: {
            signingKey: readFileSync(config.openpgp.signingKeyFile, 'utf8'),
            passphrase: config.openpgp.passphrase,
          },
        }),
  };
}

/**
 * The SMTP transport of SMTP_URL (DKIM-signing when configured), in a worker thread so that composing MIME
 * and talking SMTP do not share a thread with the embedded database; undefined: messages stay in the outbox.
 */
export function createTransport(config: Config): SmtpWorkerPool | undefined {
  if (config.smtpUrl === undefined) return undefined;
  return new SmtpWorkerPool({
    threads: 1,
    url: config.smtpUrl,
    ...(config.dkim === undefined
      ? {}
      : {
          dkim: {
            domainName: config.dkim.domain,
            keySelector: config.dkim.selector,
            privateKey: readFileSync(config.dkim.privateKeyFile, 'utf8'),
          },
        }),
  });
}
