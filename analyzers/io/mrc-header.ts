/**
 * The MRC2014 / CCP4 main header as one table in file order (1024 bytes, 256 four-byte words).
 * Word numbers are those of the format description (Cheng et al., J Struct Biol 192:146, 2015),
 * so `word 17` is MAPC everywhere. The table drives parsing, writing and dumping; nothing else in
 * the project knows byte offsets or byte order.
 */

export type HeaderFieldType = 'i32' | 'f32' | 'char' | 'bytes';

export interface HeaderField {
  /** 1-based word number of the first word. */
  readonly word: number;
  readonly name: keyof MrcHeader;
  readonly type: HeaderFieldType;
  /** Number of values (i32/f32) or bytes (char/bytes). */
  readonly count: number;
}

/** The parsed header, field names as in mrcfile's HEADER_DTYPE. */
export interface MrcHeader {
  /** Number of columns, rows, sections (fastest to slowest in the file). */
  nx: number;
  ny: number;
  nz: number;
  mode: number;
  /** Index of the first column, row, section (in grid units). */
  nxstart: number;
  nystart: number;
  nzstart: number;
  /** Sampling: number of intervals along the unit cell's X, Y, Z. */
  mx: number;
  my: number;
  mz: number;
  /** Cell edge lengths along X, Y, Z in Å. */
  cella: [number, number, number];
  /** Cell angles in degrees. */
  cellb: [number, number, number];
  /** Which axis (1=X, 2=Y, 3=Z) the columns, rows, sections run along. */
  mapc: number;
  mapr: number;
  maps: number;
  dmin: number;
  dmax: number;
  dmean: number;
  ispg: number;
  /** Bytes of extended header after the 1024-byte header. */
  nsymbt: number;
  extra1: Uint8Array;
  exttyp: string;
  nversion: number;
  extra2: Uint8Array;
  /** ORIGIN field, Å along X, Y, Z (MRC2000 and later). */
  origin: [number, number, number];
  /** "MAP " identifier. */
  map: string;
  /** Machine stamp, 4 bytes. */
  machst: Uint8Array;
  rms: number;
  nlabl: number;
  /** Ten 80-character labels, trailing spaces and NULs removed. */
  label: string[];
}

export const HEADER_BYTES = 1024;

/** The header, word by word (mrcfile dtypes.py and the MRC2014 description agree on this). */
export const HEADER_FIELDS: readonly HeaderField[] = [
  { word: 1, name: 'nx', type: 'i32', count: 1 },
  { word: 2, name: 'ny', type: 'i32', count: 1 },
  { word: 3, name: 'nz', type: 'i32', count: 1 },
  { word: 4, name: 'mode', type: 'i32', count: 1 },
  { word: 5, name: 'nxstart', type: 'i32', count: 1 },
  { word: 6, name: 'nystart', type: 'i32', count: 1 },
  { word: 7, name: 'nzstart', type: 'i32', count: 1 },
  { word: 8, name: 'mx', type: 'i32', count: 1 },
  { word: 9, name: 'my', type: 'i32', count: 1 },
  { word: 10, name: 'mz', type: 'i32', count: 1 },
  { word: 11, name: 'cella', type: 'f32', count: 3 },
  { word: 14, name: 'cellb', type: 'f32', count: 3 },
  { word: 17, name: 'mapc', type: 'i32', count: 1 },
  { word: 18, name: 'mapr', type: 'i32', count: 1 },
  { word: 19, name: 'maps', type: 'i32', count: 1 },
  { word: 20, name: 'dmin', type: 'f32', count: 1 },
  { word: 21, name: 'dmax', type: 'f32', count: 1 },
  { word: 22, name: 'dmean', type: 'f32', count: 1 },
  { word: 23, name: 'ispg', type: 'i32', count: 1 },
  { word: 24, name: 'nsymbt', type: 'i32', count: 1 },
  { word: 25, name: 'extra1', type: 'bytes', count: 8 },
  { word: 27, name: 'exttyp', type: 'char', count: 4 },
  { word: 28, name: 'nversion', type: 'i32', count: 1 },
  { word: 29, name: 'extra2', type: 'bytes', count: 84 },
  { word: 50, name: 'origin', type: 'f32', count: 3 },
  { word: 53, name: 'map', type: 'char', count: 4 },
  { word: 54, name: 'machst', type: 'bytes', count: 4 },
  { word: 55, name: 'rms', type: 'f32', count: 1 },
  { word: 56, name: 'nlabl', type: 'i32', count: 1 },
  { word: 57, name: 'label', type: 'char', count: 800 },
];

const LABEL_LEN = 80;
const latin1 = new TextDecoder('latin1');

/** Byte order of a machine stamp, as mrcfile decides it; null for a stamp it does not recognise. */
export function byteOrderOfStamp(stamp: Uint8Array): 'little' | 'big' | null {
  if (stamp[0] === 0x44 && (stamp[1] === 0x44 || stamp[1] === 0x41)) return 'little';
  if (stamp[0] === 0x11 && stamp[1] === 0x11) return 'big';
  return null;
}

/** "0x44 0x44 0x20 0x20" */
export function prettyStamp(stamp: Uint8Array): string {
  return Array.from(stamp, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
}

function trimText(s: string): string {
  return s.replace(/[\0 ]+$/u, '');
}

/**
 * Reads the 1024 header bytes in the given byte order. Numbers only: no checks, no voxels.
 * `bytes` must hold at least HEADER_BYTES bytes.
 */
export function parseHeader(bytes: Uint8Array, littleEndian: boolean): MrcHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const h: Record<string, unknown> = {};
  for (const f of HEADER_FIELDS) {
    const at = 4 * (f.word - 1);
    switch (f.type) {
      case 'i32':
      case 'f32': {
        const read = (k: number) =>
          f.type === 'i32' ? view.getInt32(at + 4 * k, littleEndian) : view.getFloat32(at + 4 * k, littleEndian);
        h[f.name] = f.count === 1 ? read(0) : Array.from({ length: f.count }, (_, k) => read(k));
        break;
      }
      case 'bytes':
        h[f.name] = bytes.slice(at, at + f.count);
        break;
      case 'char': {
        const text = latin1.decode(bytes.subarray(at, at + f.count));
        h[f.name] =
          f.name === 'label'
            ? Array.from({ length: 10 }, (_, k) => trimText(text.slice(k * LABEL_LEN, (k + 1) * LABEL_LEN)))
            : text;
        break;
      }
      default:
        assertNever(f.type);
    }
  }
  return h as unknown as MrcHeader;
}

/** Writes the header into 1024 bytes in the given byte order (inverse of parseHeader). */
export function formatHeader(h: MrcHeader, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  for (const f of HEADER_FIELDS) {
    const at = 4 * (f.word - 1);
    const value = h[f.name];
    switch (f.type) {
      case 'i32':
      case 'f32': {
        const values = (Array.isArray(value) ? value : [value]) as number[];
        for (let k = 0; k < f.count; k++) {
          if (f.type === 'i32') view.setInt32(at + 4 * k, values[k], littleEndian);
          else view.setFloat32(at + 4 * k, values[k], littleEndian);
        }
        break;
      }
      case 'bytes':
        bytes.set((value as Uint8Array).subarray(0, f.count), at);
        break;
      case 'char': {
        const text =
          f.name === 'label'
            ? (value as string[]).map((l) => l.slice(0, LABEL_LEN).padEnd(LABEL_LEN, ' ')).join('')
            : (value as string);
        for (let k = 0; k < Math.min(text.length, f.count); k++) bytes[at + k] = text.charCodeAt(k) & 0xff;
        break;
      }
      default:
        assertNever(f.type);
    }
  }
  return bytes;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
