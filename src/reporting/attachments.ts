/**
 * Evidence attachments: an allow-list of kinds, each recognised by its bytes (the browser's content type is
 * never trusted), names neutralised, zip archives inspected for bombs and path traversal before they are
 * kept. Pure apart from inflating zip members in memory.
 */
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { limits, type Attachment } from './model.ts';

type Text = { en: string; nl: string };

export type AttachmentCheck = { ok: true; attachment: Attachment } | { ok: false; reason: Text };

type Kind = 'text' | 'csv' | 'json' | 'png' | 'jpeg' | 'pdf' | 'zip';

const kindByExtension: Readonly<Record<string, Kind>> = {
  txt: 'text',
  log: 'text',
  csv: 'csv',
  json: 'json',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  pdf: 'pdf',
  zip: 'zip',
};

const mediaTypes: Readonly<Record<Kind, string>> = {
  text: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  png: 'image/png',
  jpeg: 'image/jpeg',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

const kindNames: Readonly<Record<Kind, Text>> = {
  text: { en: 'text', nl: 'tekst' },
  csv: { en: 'CSV text', nl: 'CSV-tekst' },
  json: { en: 'JSON', nl: 'JSON' },
  png: { en: 'a PNG image', nl: 'een PNG-afbeelding' },
  jpeg: { en: 'a JPEG image', nl: 'een JPEG-afbeelding' },
  pdf: { en: 'a PDF document', nl: 'een PDF-document' },
  zip: { en: 'a zip archive', nl: 'een zip-archief' },
};

/** The extensions the form accepts, for its help text and the `accept` attribute. */
export const allowedExtensions: readonly string[] = Object.keys(kindByExtension);

/**
 * A reporter's file name made safe to keep and show: the last path segment only (either slash), letters,
 * digits, dot, dash and underscore kept and every other character replaced by `_`, no leading dot, at most
 * 100 characters with the extension kept.
 */
export function neutraliseFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  let clean = base
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/_+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+/, '');
  if (clean.length > 100) {
    const dot = clean.lastIndexOf('.');
    const extension = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
    clean = clean.slice(0, 100 - extension.length) + extension;
  }
  return clean === '' ? 'attachment' : clean;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/** What the bytes are, by their signature; `text` for UTF-8 without control characters (tab, CR, LF apart). */
export function sniffKind(bytes: Uint8Array): Kind | 'unknown' {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'zip';
  return isPlainText(bytes) ? 'text' : 'unknown';
}

function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/** Checks one uploaded file; the reason of a refusal names the file and says what to do. */
export async function checkAttachment(name: string, bytes: Uint8Array): Promise<AttachmentCheck> {
  const fileName = neutraliseFileName(name);
  const refuse = (en: string, nl: string): AttachmentCheck => ({
    ok: false,
    reason: { en: `${fileName}: ${en}`, nl: `${fileName}: ${nl}` },
  });
  if (bytes.length === 0) return refuse('the file is empty.', 'het bestand is leeg.');
  if (bytes.length > limits.attachmentBytes) {
    return refuse('the file is larger than 10 MB.', 'het bestand is groter dan 10 MB.');
  }
  const expected = kindByExtension[extensionOf(fileName)];
  if (expected === undefined) {
    const list = allowedExtensions.join(', ');
    return refuse(
      `this kind of file is not accepted; send ${list}.`,
      `dit soort bestand wordt niet aangenomen; stuur ${list}.`,
    );
  }
  const found = sniffKind(bytes);
  const textual = expected === 'text' || expected === 'csv' || expected === 'json';
  if (textual ? found !== 'text' : found !== expected) {
    const what =
      found === 'unknown'
        ? { en: 'not a file of a known kind', nl: 'geen bekend soort bestand' }
        : kindNames[found];
    return refuse(
      `the content is ${what.en}, not ${kindNames[expected].en} as its name says.`,
      `de inhoud is ${what.nl}, niet ${kindNames[expected].nl} zoals de naam zegt.`,
    );
  }
  if (expected === 'json') {
    try {
      JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return refuse('the content is not valid JSON.', 'de inhoud is geen geldige JSON.');
    }
  }
  if (expected === 'zip') {
    const problem = await inspectZip(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (problem !== undefined) return refuse(problem.en, problem.nl);
  }
  return {
    ok: true,
    attachment: {
      fileName,
      mediaType: mediaTypes[expected],
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      data: bytes,
    },
  };
}

const nestedArchive = /\.(zip|jar|apk|gz|tgz|bz2|xz|7z|rar|tar|zst)$/i;

/** Why a member name is refused: it would leave the folder it is unpacked in. */
function unsafeMemberName(name: string): Text | undefined {
  if (name.includes('\0'))
    return { en: 'has a NUL character in its name', nl: 'heeft een NUL-teken in de naam' };
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    return { en: 'has an absolute path', nl: 'heeft een absoluut pad' };
  }
  if (name.split('/').includes('..')) {
    return {
      en: 'has a path that leaves the archive (path traversal, "..")',
      nl: 'heeft een pad dat buiten het archief gaat (path traversal, "..")',
    };
  }
  return undefined;
}

/**
 * Undefined when the archive is safe to keep; else why not. Member names are checked for traversal; every
 * member is inflated and counted (the sizes in the headers can lie), stopping at the first that would make
 * the whole exceed 100 MiB or a member's ratio exceed 100:1 past its first MiB. Encrypted members (malware
 * samples are often zipped with a password) are judged by their declared sizes. Nested archives are refused:
 * they could hide a bomb of their own.
 */
export async function inspectZip(buffer: Buffer): Promise<Text | undefined> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    return unreadable(error);
  }
  let total = 0;
  let entries = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      entries++;
      if (entries > limits.zipEntries) {
        return {
          en: `the archive holds more than ${limits.zipEntries} files.`,
          nl: `het archief bevat meer dan ${limits.zipEntries} bestanden.`,
        };
      }
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      const unsafe = unsafeMemberName(name);
      if (unsafe !== undefined) {
        return {
          en: `the member ${JSON.stringify(name)} ${unsafe.en}: refused.`,
          nl: `het bestand ${JSON.stringify(name)} in het archief ${unsafe.nl}: geweigerd.`,
        };
      }
      if (name.endsWith('/')) continue;
      if (nestedArchive.test(name)) {
        return {
          en: `the member ${JSON.stringify(name)} is itself an archive; send its files in one zip.`,
          nl: `het bestand ${JSON.stringify(name)} is zelf een archief; stuur de bestanden in één zip.`,
        };
      }
      const declared = entry.uncompressedSize;
      if (total + declared > limits.zipUncompressedBytes) return bombReason();
      if (entry.isEncrypted()) {
        if (declared > 1024 * 1024 && declared > entry.compressedSize * limits.zipRatio) return bombReason();
        total += declared;
        continue;
      }
      const stream = await zip.openReadStreamPromise(entry);
      let inflated = 0;
      for await (const chunk of stream) {
        inflated += (chunk as Buffer).length;
        const ratioExceeded =
          inflated > 1024 * 1024 && inflated > Math.max(entry.compressedSize, 1) * limits.zipRatio;
        if (total + inflated > limits.zipUncompressedBytes || ratioExceeded) {
          stream.destroy();
          return bombReason();
        }
      }
      total += inflated;
    }
  } catch (error) {
    return unreadable(error);
  } finally {
    zip.close();
  }
  return undefined;
}

function unreadable(error: unknown): Text {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    en: `not a readable zip archive (${detail}).`,
    nl: `geen leesbaar zip-archief (${detail}).`,
  };
}

function bombReason(): Text {
  return {
    en: `the archive expands far beyond its size (more than ${limits.zipRatio} times, or over 100 MiB in all): refused as a possible zip bomb.`,
    nl: `het archief pakt uit tot veel meer dan zijn grootte (meer dan ${limits.zipRatio} keer, of meer dan 100 MiB samen): geweigerd als mogelijke zip-bom.`,
  };
}
