"""Airflow DAG running an sdti job (textual inversion of a batch of concepts) on a Spark cluster.

Copy this file and sdti_spark_conf.py into the DAGs folder (or point Airflow at deploy/airflow/), install
apache-airflow-providers-apache-spark, and create the Spark connection (default "spark_default": its host is the
master, e.g. yarn; its extra may set "deploy-mode"). Settings come from the environment of the scheduler and workers:

  SDTI_HOME      the sdti checkout on the workers (conf/java17-options, deploy/sdti-gpus.sh); default: ../.. of here
  SDTI_JAR       the application jar (default $SDTI_HOME/spark-jobs/target/sdti.jar; build with -Pcuda for GPUs)
  SDTI_JOB       the job file (HOCON; model, output, concepts, ...; see conf/reference.conf)
  SDTI_GPU       1 (default): one task per GPU, one GPU per executor; 0: CPU executors
  SDTI_PER_STAGE 0 (default): one task runs `pipeline`; 1: one task per stage, prepare >> latents >> train >> generate

Exit codes: SparkSubmitOperator fails its task on any non-zero exit of spark-submit, which in client deploy mode
(use it: in cluster mode spark-submit's code is not the job's) is sdti's:
  0  every concept done.
  3  some concepts failed (broken images, a NaN loss), the others are done and their outputs committed; the task is
     marked failed so someone looks at OUTPUT/_reports/pipeline.json (or STAGE.json). A retry redoes only the
     failed concepts, which usually fail again until their input is fixed.
  2  bad job file or input (a wrong key or value, named in the log); nothing was done; a retry cannot help.
  1  anything else (a lost executor, out of memory, a bug). A retry resumes: committed work is not redone.
With SDTI_PER_STAGE=1 the later stages run even when an earlier one did not succeed (trigger rule all_done): a
stage exiting 3 has committed its other concepts, which the next stage then processes; concepts a stage has not
committed are failed by the next one ("not prepared", ...), so the last task's code says whether all went through.
Run one job per output folder at a time (max_active_runs = 1).
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

import sdti_spark_conf as sdti

HOME = sdti.sdti_home()
JAR = os.environ.get("SDTI_JAR", str(HOME / "spark-jobs" / "target" / "sdti.jar"))
JOB = os.environ.get("SDTI_JOB", "/etc/sdti/job.conf")
GPU = os.environ.get("SDTI_GPU", "1") == "1"
PER_STAGE = os.environ.get("SDTI_PER_STAGE", "0") == "1"


def submit(command, **kwargs):
    return SparkSubmitOperator(
        task_id="sdti_" + command,
        application=JAR,
        java_class=sdti.MAIN_CLASS,
        application_args=[command, "--config", JOB],
        name="sdti " + command,
        conf=sdti.spark_conf(gpu=GPU),
        num_executors=sdti.EXECUTORS,
        executor_cores=sdti.EXECUTOR_CORES,
        executor_memory="%dg" % sdti.EXECUTOR_HEAP_GB,
        driver_memory="%dg" % sdti.DRIVER_MEMORY_GB,
        files=str(HOME / "deploy" / "sdti-gpus.sh") if GPU else None,
        env_vars={"GOMP_SPINCOUNT": "5000"},
        **kwargs,
    )


with DAG(
    dag_id="sdti",
    description="sdti: textual inversion of a batch of concepts (prepare, latents, train, generate)",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["sdti", "spark"],
) as dag:
    if PER_STAGE:
        previous = None
        for stage in sdti.STAGES:
            task = submit(stage, trigger_rule="all_done" if previous is not None else "all_success")
            if previous is not None:
                previous >> task
            previous = task
    else:
        submit(sdti.PIPELINE)
