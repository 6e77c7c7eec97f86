// Component tests render into happy-dom; each test starts from an empty document, and from a fake API
// that answers 404 to every path, so a component that loads data never reaches for the network (happy-dom
// would send `/api/...` to localhost:3000). A test answers the paths it needs with its own fakeApi().
import { afterEach, beforeEach } from 'vitest';

beforeEach(async () => {
  if (!('document' in globalThis)) return;
  const { fakeApi } = await import('./web/fake-api.js');
  fakeApi();
});

afterEach(async () => {
  if (!('document' in globalThis)) return;
  const { cleanup } = await import('@testing-library/react');
  cleanup();
});
