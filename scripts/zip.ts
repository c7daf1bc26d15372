/**
 * ZIP archives, as far as a Grafana plugin archive needs them: files stored deflated (or as they are
 * when deflating would not shrink them), folders as entries of their own, UTF-8 names, no ZIP64
 * (65,535 entries and 4 GiB at most), no encryption. The layout follows PKWARE's APPNOTE.TXT:
 * each entry is a local header and its data, then a central directory repeats every header with
 * the offset of its local one, then the end record says where the central directory starts.
 *
 * Node has deflate and CRC-32 (zlib.crc32, Node 20.15 and later) but no ZIP writer; `zip` is not on
 * every machine, and no dependency is worth the hundred lines of the writer. The reader exists so tests can
 * look inside an archive as the plugin validator does after unzipping it.
 */
import { Buffer } from 'node:buffer';
import * as zlib from 'node:zlib';

/** A file, or a folder (no data) when `path` ends with '/'. Paths are relative and use '/'. */
export interface ZipEntry {
  path: string;
  data: Buffer;
  /** Stored in MS-DOS form: local time, two-second steps, years 1980 to 2107. */
  modifiedAt: Date;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const STORED = 0;
const DEFLATED = 8;
/** General purpose flag bit 11: the name is UTF-8. */
const UTF8_NAME = 0x0800;
/** "Version needed to extract" 2.0: deflate and folders. */
const VERSION_NEEDED = 20;
/** "Version made by": Unix (3) in the high byte, so unzip tools take the mode from the external attributes. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
const FILE_MODE = 0o100644;
const FOLDER_MODE = 0o040755;
/** MS-DOS attribute bit for a folder, beside the Unix mode in the high 16 bits. */
const DOS_FOLDER = 0x10;
const MAX_ENTRIES = 0xffff;
const MAX_SIZE = 0xffffffff;

/** The CRC-32 ZIP stores; zlib.crc32 came in Node 20.15 / 22.2. */
function crc32(data: Buffer): number {
  if (typeof zlib.crc32 !== 'function') {
    throw new Error(`zlib.crc32 is missing from Node ${process.version}: packaging needs Node 20.15 or newer`);
  }
  return zlib.crc32(data);
}

/** MS-DOS date and time words (local time, as zip tools write them). */
export function dosDateTime(date: Date): { date: number; time: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
  };
}

interface Packed {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  body: Buffer;
  folder: boolean;
  dos: { date: number; time: number };
}

function pack(entry: ZipEntry): Packed {
  const folder = entry.path.endsWith('/');
  if (entry.data.length > MAX_SIZE) {
    throw new Error(`zip entry '${entry.path}' is larger than 4 GiB, which needs ZIP64`);
  }
  const deflated = folder ? entry.data : zlib.deflateRawSync(entry.data, { level: 9 });
  const method = !folder && deflated.length < entry.data.length ? DEFLATED : STORED;
  return {
    name: Buffer.from(entry.path, 'utf8'),
    method,
    crc: crc32(entry.data),
    size: entry.data.length,
    body: method === DEFLATED ? deflated : entry.data,
    folder,
    dos: dosDateTime(entry.modifiedAt),
  };
}

function localHeader(entry: Packed): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(UTF8_NAME, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(entry.dos.time, 10);
  header.writeUInt16LE(entry.dos.date, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.body.length, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, entry.name]);
}

function centralHeader(entry: Packed, localOffset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL_HEADER, 0);
  header.writeUInt16LE(VERSION_MADE_BY, 4);
  header.writeUInt16LE(VERSION_NEEDED, 6);
  header.writeUInt16LE(UTF8_NAME, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(entry.dos.time, 12);
  header.writeUInt16LE(entry.dos.date, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.body.length, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // extra field length, comment length, disk number start, internal attributes: all 0
  const external = entry.folder ? ((FOLDER_MODE << 16) | DOS_FOLDER) >>> 0 : (FILE_MODE << 16) >>> 0;
  header.writeUInt32LE(external, 38);
  header.writeUInt32LE(localOffset, 42);
  return Buffer.concat([header, entry.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  record.writeUInt16LE(count, 8);
  record.writeUInt16LE(count, 10);
  record.writeUInt32LE(size, 12);
  record.writeUInt32LE(offset, 16);
  return record;
}

/** The bytes of a ZIP archive holding `entries`, in that order. */
export function zipArchive(entries: ZipEntry[]): Buffer {
  if (entries.length > MAX_ENTRIES) {
    throw new Error(`${entries.length} zip entries: more than ${MAX_ENTRIES} needs ZIP64`);
  }
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const packed = pack(entry);
    const local = localHeader(packed);
    centrals.push(centralHeader(packed, offset));
    locals.push(local, packed.body);
    offset += local.length + packed.body.length;
    if (offset > MAX_SIZE) {
      throw new Error('the archive is larger than 4 GiB, which needs ZIP64');
    }
  }
  const central = Buffer.concat(centrals);
  return Buffer.concat([...locals, central, endOfCentralDirectory(entries.length, central.length, offset)]);
}

/** One entry as read back: path and content, and whether the archive marked it as a folder. */
export interface ReadEntry {
  path: string;
  data: Buffer;
  folder: boolean;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  // The end record is 22 bytes plus a comment of up to 65,535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      return at;
    }
  }
  throw new Error('not a zip archive: no end of central directory record');
}

function inflate(path: string, method: number, body: Buffer): Buffer {
  if (method === STORED) {
    return body;
  }
  if (method === DEFLATED) {
    try {
      return zlib.inflateRawSync(body);
    } catch (error) {
      throw new Error(`zip entry '${path}' is damaged: its data does not inflate (${(error as Error).message})`);
    }
  }
  throw new Error(`zip entry '${path}' uses compression method ${method}; only stored (0) and deflated (8) are read`);
}

/**
 * Every entry of a ZIP archive, in central directory order, each checked against its CRC-32 and
 * size. Throws, naming the entry, on what it cannot read: ZIP64, encryption, other compressions.
 */
export function readZip(bytes: Buffer): ReadEntry[] {
  const end = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  if (count === 0xffff || at === MAX_SIZE) {
    throw new Error('ZIP64 archives are not read');
  }
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_HEADER) {
      throw new Error(`zip central directory entry ${i + 1} of ${count} is missing or damaged`);
    }
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localOffset = bytes.readUInt32LE(at + 42);
    const path = bytes.toString(flags & UTF8_NAME ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
    if (flags & 0x1) {
      throw new Error(`zip entry '${path}' is encrypted`);
    }
    if (localOffset + 30 > bytes.length || bytes.readUInt32LE(localOffset) !== LOCAL_HEADER) {
      throw new Error(`zip entry '${path}': its local header is missing`);
    }
    const dataStart = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    const data = inflate(path, method, bytes.subarray(dataStart, dataStart + compressedSize));
    if (data.length !== size || crc32(data) !== crc) {
      throw new Error(`zip entry '${path}' is damaged: its size or CRC-32 does not match its header`);
    }
    entries.push({ path, data, folder: path.endsWith('/') });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
