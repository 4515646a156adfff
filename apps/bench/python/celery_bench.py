"""The Python side of `pnpm bench:celery`: Celery 5.2 with its defaults (prefork pool, early
acks, prefetch multiplier 4) and a no-op task, on the benchmark's Redis as broker and backend.

Run by the benchmark as:  python3 -m celery -A celery_bench worker -c 10 ...
It prints BENCH-READY once the worker consumes (the worker_ready signal), whatever the log level.
"""
import os

from celery import Celery, signals

# CELERY_BROKER / CELERY_BACKEND apart (`pnpm bench:amqp`: RabbitMQ and Redis), else both CELERY_URL.
app = Celery('bench', broker=os.environ.get('CELERY_BROKER', os.environ.get('CELERY_URL')), backend=os.environ.get('CELERY_BACKEND', os.environ.get('CELERY_URL')))
app.conf.update(task_serializer='json', result_serializer='json', accept_content=['json'], worker_hijack_root_logger=False)


@app.task(name='bench.noop')
def noop(i):
    return None


@signals.worker_ready.connect
def ready(**_):
    print('BENCH-READY', flush=True)
