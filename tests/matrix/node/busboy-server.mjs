// busboy 1.6 on node:http with busboy's defaults (preservePath off, parameters not decoded as
// UTF-8), for Skylift's interop matrix: node busboy-server.mjs PORT STORAGE
import { createWriteStream, mkdirSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import busboy from 'busboy'
import { PATH_FIELD, describe, target } from './storing.mjs'

const [port, storage] = process.argv.slice(2)

function answer (res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/ping') {
    res.writeHead(204)
    return res.end()
  }
  if (req.method !== 'POST' || req.url !== '/upload') return answer(res, 404, { error: 'not here' })
  const parser = busboy({ headers: req.headers })
  const form = {}
  let stored = null
  let problem = null
  parser.on('field', (name, value) => { form[name] = value })
  parser.on('file', (name, stream, info) => {
    const storedAs = form[PATH_FIELD] || info.filename
    const where = target(storage, storedAs)
    if (where === null || stored !== null) {
      problem = where === null ? `unsafe name ${JSON.stringify(storedAs)}` : 'more than one file'
      return stream.resume()
    }
    mkdirSync(path.dirname(where), { recursive: true })
    const out = createWriteStream(where)
    stream.pipe(out)
    stored = { filename: info.filename, storedAs, where, written: finished(out) }
  })
  parser.on('error', (error) => answer(res, 400, { error: String(error) }))
  parser.on('close', async () => {
    if (problem || stored === null) return answer(res, 400, { error: problem || 'no file part' })
    await stored.written
    answer(res, 201, await describe({
      filename: stored.filename, form: { ...form }, stored: stored.storedAs, file: stored.where,
    }))
  })
  req.pipe(parser)
}).listen(Number(port), '127.0.0.1', () => console.log(`busboy on ${port}`))
