import { Router } from 'express';

/** What `pnpm dev` polls before it says the sandbox is ready. */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', party: 'directory' });
  });
  return router;
}
