// The frame of every page: a skip link, the product header with its navigation, and the main landmark.
import type { ReactNode } from 'react';
import { Link } from '../router.js';

export function Layout({ children }: { children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="brand" aria-label="Moneywise home">
            <img src="/logo.svg" alt="" width="32" height="32" />
            <span>Moneywise</span>
          </Link>
          <nav aria-label="Main">
            <ul className="nav-list">
              <li>
                <Link to="/onboarding">Onboarding</Link>
              </li>
              <li>
                <Link to="/connect">Connect a bank</Link>
              </li>
              <li>
                <Link to="/">Connections</Link>
              </li>
              <li>
                <Link to="/rules">Rules</Link>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>
          Moneywise is the demo third-party provider of the FAPI Sandbox. Its keys, certificates and tokens
          never leave its server: this page only ever sees what they produced.
        </p>
      </footer>
    </>
  );
}
