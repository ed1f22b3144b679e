// Pins the modification time of every entry of a ZIP archive (an XLSX workbook). exceljs
// hands its parts to JSZip without a date, so each entry is stamped with the clock and two
// runs of the generator would differ in those bytes; the samples must be byte-identical.
// The archive is walked through its central directory, not by searching for signatures,
// since compressed data may contain the same four bytes.

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** MS-DOS time and date words of a UTC instant (2-second resolution, years from 1980). */
function dosDateTime(at: Date): { time: number; date: number } {
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

export function pinZipTimes(zip: Uint8Array, at: Date): Uint8Array {
  const out = new Uint8Array(zip);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // The end-of-central-directory record is the last 22 bytes plus an optional comment.
  let eocd = -1;
  for (let i = out.length - 22; i >= Math.max(0, out.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive: no end-of-central-directory record');
  const entries = view.getUint16(eocd + 10, true);
  let cursor = view.getUint32(eocd + 16, true);
  const { time, date } = dosDateTime(at);
  for (let n = 0; n < entries; n++) {
    if (view.getUint32(cursor, true) !== CENTRAL) throw new Error(`bad central directory entry ${n}`);
    view.setUint16(cursor + 12, time, true);
    view.setUint16(cursor + 14, date, true);
    const local = view.getUint32(cursor + 42, true);
    if (view.getUint32(local, true) !== LOCAL) throw new Error(`bad local header of entry ${n}`);
    view.setUint16(local + 10, time, true);
    view.setUint16(local + 12, date, true);
    cursor += 46 + view.getUint16(cursor + 28, true) + view.getUint16(cursor + 30, true) + view.getUint16(cursor + 32, true);
  }
  return out;
}
