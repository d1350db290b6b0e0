/**
 * Decoding the server's binary frames (docs/protocol.md; app/frames.py encodes).
 *
 *     uint32 little-endian  H, the header length in bytes
 *     H bytes               UTF-8 JSON header
 *     0-3 bytes             padding to a multiple of 4
 *     payload               the arrays, each at header.arrays[i].offset
 *
 * The same layout carries `type: "frame"` messages and `type: "unit_map"` answers
 * (one array, `map`).
 */

const UTF8 = new TextDecoder("utf-8");

/**
 * @typedef {{data: Float32Array | Uint8Array, shape: number[]}} DecodedArray
 * @typedef {{header: object, arrays: Object<string, DecodedArray>}} Frame
 */

/**
 * Decode one binary message.
 *
 * Each `header.arrays` entry `{name, dtype, shape, offset, lo?, hi?}` becomes
 * `arrays[name] = {data, shape}` (data flat, row-major, length = product of shape):
 * - quantised maps (entries with `lo` and `hi`, uint8 q): a new Float32Array of
 *   `lo + q * (hi - lo) / 255`; a null lo or hi (not finite on the server) gives NaN;
 * - other float32 arrays: a Float32Array view of the buffer (a copy if unaligned);
 * - other uint8 arrays (dropout masks): a Uint8Array view.
 *
 * @param {ArrayBuffer | ArrayBufferView} buffer the whole message
 * @returns {Frame}
 * @throws {Error} on a truncated message or an unknown dtype
 */
export function decodeFrame(buffer) {
  const bytes = asBytes(buffer);
  if (bytes.byteLength < 4) throw new Error("frame: shorter than its 4-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (4 + length > bytes.byteLength) throw new Error("frame: header runs past the end");
  const header = JSON.parse(UTF8.decode(bytes.subarray(4, 4 + length)));
  const start = 4 + length + ((4 - ((4 + length) % 4)) % 4);
  const arrays = {};
  for (const entry of header.arrays || []) {
    arrays[entry.name] = { data: readArray(bytes, start + entry.offset, entry), shape: entry.shape.slice() };
  }
  return { header, arrays };
}

/** The decoded array `name` of a frame ({data, shape}), or null when absent. */
export function arrayAt(frame, name) {
  return (frame && frame.arrays && frame.arrays[name]) || null;
}

/** A Uint8Array over the message's bytes. */
function asBytes(buffer) {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError("decodeFrame expects an ArrayBuffer");
}

/** Number of elements of an array of this shape. */
function count(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * The data of one header entry, read at `at` (bytes from the start of `bytes`).
 * @param {Uint8Array} bytes
 * @param {number} at
 * @param {{name: string, dtype: string, shape: number[], lo?: number, hi?: number}} entry
 */
function readArray(bytes, at, entry) {
  const n = count(entry.shape);
  const size = entry.dtype === "float32" ? 4 * n : n;
  if (entry.dtype !== "float32" && entry.dtype !== "uint8") {
    throw new Error(`frame: array ${entry.name} has unknown dtype ${entry.dtype}`);
  }
  if (at + size > bytes.byteLength) throw new Error(`frame: array ${entry.name} runs past the end`);
  if (entry.dtype === "uint8") {
    const q = bytes.subarray(at, at + n);
    return "lo" in entry || "hi" in entry ? dequantise(q, entry.lo, entry.hi) : q;
  }
  const offset = bytes.byteOffset + at;
  if (offset % 4 === 0) return new Float32Array(bytes.buffer, offset, n);
  return new Float32Array(bytes.slice(at, at + size).buffer);
}

/** lo + q * (hi - lo) / 255 as a new Float32Array (NaN when lo or hi is missing). */
function dequantise(q, lo, hi) {
  const out = new Float32Array(q.length);
  if (typeof lo !== "number" || typeof hi !== "number") return out.fill(NaN);
  const step = (hi - lo) / 255;
  for (let i = 0; i < q.length; i += 1) out[i] = lo + q[i] * step;
  return out;
}
