// `@ar/emulator/testing`: the emulator as tests and benches start it. Not for production code.
export { ADMIN, type Fixture, PROJECT, READER, standardSeed, startFixture, WRITER } from './fixture.js';
export { makeImage, RegistryClient, sha256, type TestImage } from './registry-client.js';
export {
  NO_METADATA_SERVER,
  promotionRepositories,
  startTestEmulator,
  type TestEmulator,
  type TestProjectOptions,
  testSeed,
} from './test-emulator.js';
