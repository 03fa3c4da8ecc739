// What both Node apps do with a received file: store it under the name they would use (the
// relativePath form field when one came before the file, else the file name as the parser gave
// it), and describe what they saw. Mirrors ../apps/storing.py.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import path from 'node:path'

export const PATH_FIELD = 'relativePath'

// Where name goes under storage; null for a name that would leave it.
export function target (storage, name) {
  const parts = typeof name === 'string' ? name.split('/') : []
  if (!name || name.startsWith('/') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    return null
  }
  return path.join(storage, ...parts)
}

export async function describe ({ filename, form, stored, file }) {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk)
    size += chunk.length
  }
  return { filename, form, stored, size, sha256: hash.digest('hex') }
}
