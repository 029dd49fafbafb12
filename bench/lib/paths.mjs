import { fileURLToPath } from 'node:url';

export const benchDir = fileURLToPath(new URL('..', import.meta.url));
// BENCH_PKG_DIR: another build of the package (e.g. a before/after comparison).
export const pkgDir = process.env.BENCH_PKG_DIR
  ? `${process.env.BENCH_PKG_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../../pkg/', import.meta.url));
export const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
