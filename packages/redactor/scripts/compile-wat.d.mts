/** Compiles the text of scan.wat (with SIMD) into WebAssembly bytes. */
export function compileScanWat(text: string): Promise<Uint8Array>;
