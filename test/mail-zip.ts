import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A small zip writer for the mail intake tests (PKWARE APPNOTE 4.3: a local header and deflated data per
 * member, the central directory, the end record), so that a test can make archives of any shape.
 */
export function zipOf(members: readonly { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of members) {
    const fileName = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(data);
    const sums = { crc: crc32(data), compressed: deflated.length, size: data.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(sums.crc, 14);
    local.writeUInt32LE(sums.compressed, 18);
    local.writeUInt32LE(sums.size, 22);
    local.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(sums.crc, 16);
    entry.writeUInt32LE(sums.compressed, 20);
    entry.writeUInt32LE(sums.size, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, fileName, deflated);
    directory.push(entry, fileName);
    offset += local.length + fileName.length + deflated.length;
  }
  const central = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, central, end]);
}
