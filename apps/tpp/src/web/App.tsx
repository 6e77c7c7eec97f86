// The pages of Moneywise, chosen by path.
import { Layout } from './components/Layout.js';
import { ConnectionPage } from './pages/ConnectionPage.js';
import { ConnectionsPage } from './pages/ConnectionsPage.js';
import { ConnectPage } from './pages/ConnectPage.js';
import { DecoupledStartPage, DecoupledWaitingPage } from './pages/DecoupledPage.js';
import { InspectorPage } from './pages/InspectorPage.js';
import { OnboardingPage } from './pages/OnboardingPage.js';
import { PayPage } from './pages/PayPage.js';
import { RulesPage } from './pages/RulesPage.js';
import { match, useRouter } from './router.js';

function Page() {
  const { path } = useRouter();
  if (path === '/onboarding') return <OnboardingPage />;
  if (path === '/onboarding/inspector') return <InspectorPage />;
  if (path === '/connect') return <ConnectPage />;
  if (path === '/connect/decoupled') return <DecoupledStartPage />;
  if (path === '/rules') return <RulesPage />;
  const inspector = match('/connections/:id/inspector', path);
  if (inspector) return <InspectorPage connectionId={inspector.id} />;
  const waiting = match('/connections/:id/decoupled', path);
  if (waiting) return <DecoupledWaitingPage key={waiting.id} id={waiting.id!} />;
  const pay = match('/connections/:id/pay', path);
  if (pay) return <PayPage id={pay.id!} />;
  const connection = match('/connections/:id', path);
  if (connection) return <ConnectionPage key={connection.id} id={connection.id!} />;
  if (path === '/') return <ConnectionsPage />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at {path}.</p>
    </section>
  );
}

export function App() {
  return (
    <Layout>
      <Page />
    </Layout>
  );
}
