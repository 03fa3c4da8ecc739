// tus-js-client in Node, for bench/tus_bench.py: node upload.mjs ENDPOINT PATH (prints the upload URL)
import fs from 'node:fs'
import path from 'node:path'
import { Upload } from 'tus-js-client'

const [endpoint, file] = process.argv.slice(2)
const upload = new Upload(fs.createReadStream(file), {
  endpoint,
  uploadSize: fs.statSync(file).size,
  metadata: { filename: path.basename(file), filetype: 'application/octet-stream' },
  onError: (error) => { console.error(String(error)); process.exit(1) },
  onSuccess: () => { console.log(upload.url); process.exit(0) },
})
upload.start()
