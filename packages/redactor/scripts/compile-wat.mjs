// Turns the text of scan.wat into WebAssembly bytes with wabt (a build-time tool; the package
// ships the bytes and has no runtime dependency).
import wabt from 'wabt';

export async function compileScanWat(text) {
  const toolkit = await wabt();
  const module = toolkit.parseWat('scan.wat', text, { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}
