/**
 * The simulation's `crypto` global: random values and UUIDs from a seeded stream, and SHA-256
 * digests computed at once (node:crypto) and handed back as settled promises. The Workers
 * runtime's randomness and its asynchronous WebCrypto are part of what the simulation
 * replaces: with them, run ids, run secrets and delivery ids repeat per seed, and no digest
 * finishes on another thread at a moment the simulation does not choose.
 */
import { createHash, webcrypto } from "node:crypto";
import type { Prng } from "./prng.ts";

type Bytes = ArrayBuffer | ArrayBufferView;

function toBytes(data: Bytes): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Installs the seeded `crypto` on globalThis; returns the function that puts the real one back. */
export function installDeterministicCrypto(prng: Prng): () => void {
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const subtle = new Proxy(webcrypto.subtle, {
    get(target, property, receiver) {
      if (property === "digest") {
        return (algorithm: string | { name: string }, data: Bytes): Promise<ArrayBuffer> => {
          const name = typeof algorithm === "string" ? algorithm : algorithm.name;
          if (name.toUpperCase() !== "SHA-256") return target.digest(algorithm, data);
          const digest = createHash("sha256").update(toBytes(data)).digest();
          return Promise.resolve(
            digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength),
          );
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const shim = {
    subtle,
    getRandomValues<T extends ArrayBufferView | null>(array: T): T {
      if (array === null) return array;
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      bytes.set(prng.bytes(bytes.length));
      return array;
    },
    randomUUID(): `${string}-${string}-${string}-${string}-${string}` {
      const b = prng.bytes(16);
      b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
      b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
      const hex = [...b].map((byte) => byte.toString(16).padStart(2, "0")).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
  Object.defineProperty(globalThis, "crypto", { value: shim, configurable: true, writable: true });
  return () => {
    if (original !== undefined) Object.defineProperty(globalThis, "crypto", original);
  };
}
