import './styles.css';
import { runPage } from './run-page';
import { runsPage } from './runs-page';

const start = (): void => {
  const main = document.getElementById('main');
  if (main === null) return;
  const { page, runId } = document.body.dataset;
  if (page === 'runs') runsPage(main);
  else if (page === 'run' && runId !== undefined) void runPage(main, runId);
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
