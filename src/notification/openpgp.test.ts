import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSigningKey, protectMessage } from './openpgp.ts';

let sender: { privateKey: string; publicKey: string };
let contact: { privateKey: string; publicKey: string };

beforeAll(async () => {
  const make = (email: string, passphrase?: string) =>
    openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email }],
      ...(passphrase ? { passphrase } : {}),
    });
  sender = await make('meldingen@ncsc.example.nl', 'correct horse');
  contact = await make('abuse@org.example');
});

const message = {
  subject: '[TLP:AMBER] [20261202-00000001] Open RDP (1)',
  text: 'Geachte Organisatie,\n\nEr staat een RDP-dienst open.\n',
  html: '<p>Geachte Organisatie</p>',
  attachments: [
    { filename: '20261202-00000001.csv', contentType: 'text/csv', content: 'source.ip\n192.0.2.1\n' },
  ],
};

describe('OpenPGP for warnings', () => {
  it('leaves a message alone without a signing key or a contact key', async () => {
    expect(await protectMessage(message, { contact: 'x@example' })).toBe(message);
  });

  it('signs the plain text (cleartext signature that verifies), and drops the unsigned HTML part', async () => {
    const signing = { signingKey: sender.privateKey, passphrase: 'correct horse' };
    const signed = await protectMessage(message, { signing, contact: 'abuse@org.example' });
    expect(signed.html).toBeUndefined();
    expect(signed.attachments).toEqual(message.attachments);
    expect(signed.text).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    const verified = await openpgp.verify({
      message: await openpgp.readCleartextMessage({ cleartextMessage: signed.text }),
      verificationKeys: (await openpgp.readKey({ armoredKey: sender.publicKey })).toPublic(),
    });
    await expect(verified.signatures[0]?.verified).resolves.toBe(true);
    expect(verified.data.trimEnd()).toBe(message.text.trimEnd());
  });

  it('encrypts text and attachments to the contact, signed inside; only the contact can read them', async () => {
    const signing = { signingKey: sender.privateKey, passphrase: 'correct horse' };
    const sealed = await protectMessage(message, {
      signing,
      recipientKey: contact.publicKey,
      contact: 'abuse@org.example',
    });
    expect(sealed.text).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(sealed.text).not.toContain('RDP');
    expect(sealed.html).toBeUndefined();
    expect(sealed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['20261202-00000001.csv.asc', 'application/pgp-encrypted'],
    ]);
    const decryptionKeys = await openpgp.readPrivateKey({ armoredKey: contact.privateKey });
    const verificationKeys = (await openpgp.readKey({ armoredKey: sender.publicKey })).toPublic();
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: sealed.text }),
      decryptionKeys,
      verificationKeys,
      expectSigned: true,
    });
    expect(opened.data).toBe(message.text);
    const csv = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: sealed.attachments[0]?.content ?? '' }),
      decryptionKeys,
    });
    expect(csv.data).toBe(message.attachments[0]?.content);
  });

  it('refuses an unreadable contact key rather than sending in the clear', async () => {
    await expect(
      protectMessage(message, { recipientKey: 'not a key', contact: 'abuse@org.example' }),
    ).rejects.toThrow(/OpenPGP key of abuse@org.example cannot be read/);
  });

  it('names a signing key whose passphrase is missing or wrong', async () => {
    await expect(checkSigningKey({ signingKey: sender.privateKey })).rejects.toThrow(
      /OPENPGP_PASSPHRASE is not set/,
    );
    await expect(checkSigningKey({ signingKey: sender.privateKey, passphrase: 'wrong' })).rejects.toThrow(
      /OPENPGP_SIGNING_KEY_FILE: cannot use the signing key/,
    );
    expect(await checkSigningKey({ signingKey: sender.privateKey, passphrase: 'correct horse' })).toMatch(
      /^[0-9a-f]{40}$/,
    );
  });
});
