/**
 * OpenPGP for warnings (openpgp.js), inline: a message is signed with the instance's key when one is
 * configured (a cleartext signature over the plain text, which any mail client shows as it is), and
 * encrypted to the contact's key (signed inside) when the contact has one; an encrypted message's
 * attachments are encrypted each as `<name>.asc`. A protected message carries no HTML part: an HTML copy
 * would be unsigned, or would leak what encryption hides. openpgp.js is loaded on first use, so commands
 * that send nothing do not pay for it.
 */
import type * as OpenPgpModule from 'openpgp';
import { AppError } from '../core/index.ts';

export interface OpenPgpConfig {
  /** The armoured private key that signs. */
  signingKey: string;
  passphrase?: string | undefined;
}

export interface ProtectableMessage {
  text: string;
  html?: string | undefined;
  attachments: readonly { filename: string; contentType: string; content: string }[];
}

type OpenPgp = typeof OpenPgpModule;
type PrivateKey = Awaited<ReturnType<OpenPgp['readPrivateKey']>>;

let library: Promise<OpenPgp> | undefined;
const openpgp = (): Promise<OpenPgp> => (library ??= import('openpgp'));

/** Reads (and unlocks) signing keys once per configuration. */
const signers = new WeakMap<OpenPgpConfig, Promise<PrivateKey>>();

function signerFor(config: OpenPgpConfig): Promise<PrivateKey> {
  let signer = signers.get(config);
  if (signer === undefined) {
    signer = (async () => {
      const pgp = await openpgp();
      try {
        const key = await pgp.readPrivateKey({ armoredKey: config.signingKey });
        if (key.isDecrypted()) return key;
        if (config.passphrase === undefined) {
          throw new Error('the key is protected by a passphrase and OPENPGP_PASSPHRASE is not set');
        }
        return await pgp.decryptKey({ privateKey: key, passphrase: config.passphrase });
      } catch (error) {
        throw new AppError(
          'platform.config_invalid',
          `OPENPGP_SIGNING_KEY_FILE: cannot use the signing key: ${(error as Error).message}`,
        );
      }
    })();
    signers.set(config, signer);
  }
  return signer;
}

/** Checks the signing key at start-up (so a bad key or passphrase stops the service, not a send). */
export async function checkSigningKey(config: OpenPgpConfig): Promise<string> {
  const key = await signerFor(config);
  return key.getFingerprint();
}

/**
 * The message as it is sent: encrypted (and signed, when a signing key is configured) to `recipientKey`,
 * else cleartext-signed when a signing key is configured, else unchanged. A recipient key that cannot be
 * read is an error naming the contact: a warning is never sent in the clear by mistake.
 */
export async function protectMessage<M extends ProtectableMessage>(
  message: M,
  options: { signing?: OpenPgpConfig | undefined; recipientKey?: string | null | undefined; contact: string },
): Promise<M> {
  const { signing, recipientKey } = options;
  if (
    signing === undefined &&
    (recipientKey === undefined || recipientKey === null || recipientKey.trim() === '')
  ) {
    return message;
  }
  const pgp = await openpgp();
  const signingKeys = signing === undefined ? undefined : await signerFor(signing);
  if (recipientKey !== undefined && recipientKey !== null && recipientKey.trim() !== '') {
    const encryptionKeys = await pgp.readKey({ armoredKey: recipientKey }).catch((error: unknown) => {
      throw new AppError(
        'core.invalid_input',
        `the OpenPGP key of ${options.contact} cannot be read: ${(error as Error).message}`,
      );
    });
    const encrypt = async (text: string): Promise<string> => {
      const encrypted: unknown = await pgp.encrypt({
        message: await pgp.createMessage({ text }),
        encryptionKeys: encryptionKeys.toPublic(),
        ...(signingKeys === undefined ? {} : { signingKeys }),
      });
      return String(encrypted);
    };
    const { html: _html, ...rest } = message;
    return {
      ...rest,
      text: await encrypt(message.text),
      attachments: await Promise.all(
        message.attachments.map(async (a) => ({
          filename: `${a.filename}.asc`,
          contentType: 'application/pgp-encrypted',
          content: await encrypt(a.content),
        })),
      ),
    } as unknown as M;
  }
  if (signingKeys === undefined) return message;
  const signed: unknown = await pgp.sign({
    message: await pgp.createCleartextMessage({ text: message.text }),
    signingKeys,
  });
  const { html: _html, ...rest } = message;
  return { ...rest, text: String(signed) } as unknown as M;
}
