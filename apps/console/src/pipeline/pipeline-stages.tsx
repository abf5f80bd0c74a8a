import { stepKey, type Pipeline, type PipelineStep } from '@berth/domain';
import { Link } from '../app/router';
import { stepOptions } from './pipeline-format';

function Step(props: { readonly step: PipelineStep }) {
  const { step } = props;
  const options = stepOptions(step);
  return (
    <span className={step.disabled ? 'pipeline-step disabled' : 'pipeline-step'} data-step={stepKey(step)}>
      {step.kind === 'group' ? (
        <>
          step <Link to={`/groups/${encodeURIComponent(step.name)}`}>{step.name}</Link>
        </>
      ) : (
        <>gate {step.name}</>
      )}
      {options.length > 0 ? <small className="muted"> · {options.join(', ')}</small> : null}
    </span>
  );
}

/** A pipeline's stages in order: a step or gate, or a parallel block of them, and where the release waits for an advance. */
export function PipelineStages(props: { readonly pipeline: Pipeline }) {
  const { pipeline } = props;
  const delays = [
    pipeline.autoCertifyDelay === undefined ? null : `auto_certify_delay ${pipeline.autoCertifyDelay} s`,
    pipeline.autoAbandonDelay === undefined ? null : `auto_abandon_delay ${pipeline.autoAbandonDelay} s`,
  ].filter((d) => d !== null);
  return (
    <>
      <ol className="pipeline-stages">
        {pipeline.stages.map((stage, i) => (
          <li key={i} data-stage={i}>
            {stage.parallel ? (
              <>
                parallel:
                <ul>
                  {stage.steps.map((step) => (
                    <li key={stepKey(step)}>
                      <Step step={step} />
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              stage.steps.map((step) => <Step key={stepKey(step)} step={step} />)
            )}
            {stage.triggerNextStepManually ? <small className="manual"> then waits for an advance</small> : null}
          </li>
        ))}
      </ol>
      {delays.length > 0 ? <p className="muted pipeline-delays">{delays.join(' · ')}</p> : null}
    </>
  );
}
