// express 5 + multer 2 with multer's defaults (preservePath off, defParamCharset latin1), for
// Skylift's interop matrix: node multer-server.mjs PORT STORAGE
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import express from 'express'
import multer from 'multer'
import { PATH_FIELD, describe, target } from './storing.mjs'

const [port, storage] = process.argv.slice(2)

const upload = multer({
  storage: multer.diskStorage({
    // req.body holds the fields that came before the file part (Skylift sends its path field first).
    destination (req, file, done) {
      file.storedAs = req.body[PATH_FIELD] || file.originalname
      const where = target(storage, file.storedAs)
      if (where === null) return done(new Error(`unsafe name ${JSON.stringify(file.storedAs)}`))
      mkdirSync(path.dirname(where), { recursive: true })
      done(null, path.dirname(where))
    },
    filename (req, file, done) {
      done(null, path.basename(target(storage, file.storedAs)))
    },
  }),
})

const app = express()
app.get('/ping', (req, res) => res.status(204).end())
app.post('/upload', upload.single('file'), async (req, res) => {
  if (!req.file) return res.status(400).json({ error: 'no file part' })
  const form = { ...req.body }
  res.status(201).json(await describe({
    filename: req.file.originalname, form, stored: req.file.storedAs, file: req.file.path,
  }))
})
app.use((error, req, res, next) => res.status(400).json({ error: String(error) }))
app.listen(Number(port), '127.0.0.1', () => console.log(`multer on ${port}`))
