/**
 * The ZIP writer and reader of the packaging script. The byte layout is stated here from PKWARE's
 * APPNOTE.TXT (section 4.3), and an archive Info-ZIP's `zip` made is read, so neither side is
 * only checked against the other.
 */
import { Buffer } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { dosDateTime, readZip, zipArchive, type ZipEntry } from '../../../scripts/zip';

const u16 = (value: number) => [value & 0xff, value >>> 8];
const u32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
const text = (value: string) => [...Buffer.from(value, 'utf8')];

/** 1980-01-01 00:00:00 local time: MS-DOS date 0x0021 (day 1, month 1, year 0), time 0. */
const DOS_EPOCH = new Date(1980, 0, 1, 0, 0, 0);
const fixture = fs.readFileSync(path.resolve(__dirname, '../../fixtures/packaging/info-zip.zip'));

describe('zipArchive', () => {
  it('lays out a one-file archive exactly as APPNOTE 4.3 prescribes', () => {
    const crcOfHi = 0xd8932aac;
    const local = [...u32(0x04034b50), ...u16(20), ...u16(0x0800), ...u16(0), ...u16(0), ...u16(0x0021), ...u32(crcOfHi), ...u32(2), ...u32(2), ...u16(5), ...u16(0), ...text('a.txt'), ...text('hi')];
    const central = [
      ...u32(0x02014b50),
      ...u16(0x0314), // made by Unix (3), version 2.0
      ...u16(20),
      ...u16(0x0800),
      ...u16(0), // stored: deflating two bytes would not shrink them
      ...u16(0),
      ...u16(0x0021),
      ...u32(crcOfHi),
      ...u32(2),
      ...u32(2),
      ...u16(5),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u32(0x81a40000), // regular file, rw-r--r--
      ...u32(0),
      ...text('a.txt'),
    ];
    const end = [...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(1), ...u16(1), ...u32(central.length), ...u32(local.length), ...u16(0)];

    expect([...zipArchive([{ path: 'a.txt', data: Buffer.from('hi'), modifiedAt: DOS_EPOCH }])]).toEqual([...local, ...central, ...end]);
  });

  it('deflates a file when that makes it smaller and stores folders and small files as they are', () => {
    const entries: ZipEntry[] = [
      { path: 'p/', data: Buffer.alloc(0), modifiedAt: DOS_EPOCH },
      { path: 'p/small', data: Buffer.from('x'), modifiedAt: DOS_EPOCH },
      { path: 'p/large', data: Buffer.from('span '.repeat(1000)), modifiedAt: DOS_EPOCH },
    ];
    const bytes = zipArchive(entries);
    // Compression method of each local header, at offset 8 of the header.
    const methods: number[] = [];
    for (let at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04])); at >= 0; at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at + 4)) {
      methods.push(bytes.readUInt16LE(at + 8));
    }
    expect(methods).toEqual([0, 0, 8]);
  });

  it('reads back every entry it wrote, folders, empty files, binary data and UTF-8 names included', () => {
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251));
    const entries: ZipEntry[] = [
      { path: 'plugin/', data: Buffer.alloc(0), modifiedAt: DOS_EPOCH },
      { path: 'plugin/empty', data: Buffer.alloc(0), modifiedAt: DOS_EPOCH },
      { path: 'plugin/img/', data: Buffer.alloc(0), modifiedAt: DOS_EPOCH },
      { path: 'plugin/img/données.bin', data: binary, modifiedAt: new Date(2026, 6, 13, 12, 34, 56) },
    ];
    expect(readZip(zipArchive(entries))).toEqual(entries.map(({ path, data }) => ({ path, data, folder: path.endsWith('/') })));
  });
});

describe('dosDateTime', () => {
  it('gives the date and time words Info-ZIP wrote for 2026-07-13 12:34:56', () => {
    // The fixture's first local header: time at offset 10, date at offset 12.
    expect(dosDateTime(new Date(2026, 6, 13, 12, 34, 56))).toEqual({ time: fixture.readUInt16LE(10), date: fixture.readUInt16LE(12) });
  });

  it('keeps dates before 1980, which MS-DOS dates cannot hold, at 1980', () => {
    expect(dosDateTime(new Date(1970, 0, 1, 0, 0, 0))).toEqual({ date: 0x0021, time: 0 });
  });
});

describe('readZip', () => {
  it("reads an archive Info-ZIP's zip made, stored and deflated entries alike", () => {
    expect(readZip(fixture)).toEqual([
      { path: 'plugin/', data: Buffer.alloc(0), folder: true },
      { path: 'plugin/img/', data: Buffer.alloc(0), folder: true },
      { path: 'plugin/img/big.txt', data: Buffer.from('span '.repeat(1000)), folder: false },
      { path: 'plugin/a.txt', data: Buffer.from('hello\n'), folder: false },
    ]);
  });

  it('names the entry whose content does not match its CRC-32', () => {
    const bytes = zipArchive([{ path: 'a.txt', data: Buffer.from('hi'), modifiedAt: DOS_EPOCH }]);
    bytes[30 + 'a.txt'.length] ^= 0xff;
    expect(() => readZip(bytes)).toThrow("zip entry 'a.txt' is damaged: its size or CRC-32 does not match its header");
  });

  it('names the entry whose deflated data does not inflate', () => {
    const bytes = zipArchive([{ path: 'large.txt', data: Buffer.from('span '.repeat(1000)), modifiedAt: DOS_EPOCH }]);
    // The first byte of the deflate stream: final block of the reserved type 3, which no inflater takes.
    bytes[30 + 'large.txt'.length] = 0xff;
    expect(() => readZip(bytes)).toThrow("zip entry 'large.txt' is damaged: its data does not inflate (invalid block type)");
  });

  it('says a file that is not a zip archive is not one', () => {
    expect(() => readZip(Buffer.from('{"id": "not-a-zip"}'.padEnd(100)))).toThrow('not a zip archive: no end of central directory record');
  });
});
