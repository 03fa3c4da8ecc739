// The reference tus server for Skylift's tests: node server.mjs PORT DIRECTORY [--relative-location]
import { Server } from '@tus/server'
import { FileStore } from '@tus/file-store'

const [port, directory, ...flags] = process.argv.slice(2)
const server = new Server({
  path: '/files',
  datastore: new FileStore({ directory }),
  relativeLocation: flags.includes('--relative-location'),
})
server.listen({ host: '127.0.0.1', port: Number(port) }, () => console.log(`tus server on ${port}`))
