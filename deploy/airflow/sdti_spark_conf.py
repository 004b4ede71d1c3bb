"""The spark-submit settings of an sdti job, for the Airflow DAG (sdti_dag.py).

The same values deploy/sdti-submit passes (a test in spark-jobs compares the two): one task per GPU, executor
memory sized for ND4J's off-heap memory, the Java 17 options from conf/java17-options, OpenMP threads that sleep
when idle. Plain Python (no Airflow import), so it can be checked without Airflow installed.
"""
import json
import os
import sys
from pathlib import Path

MAIN_CLASS = "org.sdti.jobs.cli.Main"
# bin/sdti's Spark commands: each stage, and all four in order in one Spark application
STAGES = ["prepare", "latents", "train", "generate"]
PIPELINE = "pipeline"

# deploy/sdti-submit's defaults (sizes in GiB)
EXECUTORS = 2
EXECUTOR_CORES = 4
GPUS_PER_EXECUTOR = 1
EXECUTOR_HEAP_GB = 4
EXECUTOR_OFFHEAP_GB = 16
DRIVER_MEMORY_GB = 4


def sdti_home():
    """The sdti checkout or distribution: $SDTI_HOME, else two folders above this file (deploy/airflow/)."""
    return Path(os.environ.get("SDTI_HOME", Path(__file__).resolve().parents[2]))


def java_options(home=None):
    """conf/java17-options as one string (the options every sdti JVM needs on Java 17)."""
    lines = (Path(home or sdti_home()) / "conf" / "java17-options").read_text().splitlines()
    return " ".join(l.strip() for l in lines if l.strip() and not l.strip().startswith("#"))


def spark_conf(gpu=True, executor_cores=EXECUTOR_CORES, gpus_per_executor=GPUS_PER_EXECUTOR,
               executor_heap_gb=EXECUTOR_HEAP_GB, executor_offheap_gb=EXECUTOR_OFFHEAP_GB,
               driver_memory_gb=DRIVER_MEMORY_GB, discovery_script="./sdti-gpus.sh", home=None):
    """The --conf settings (sizes in GiB); the defaults are deploy/sdti-submit's."""
    task_cpus = executor_cores // gpus_per_executor if gpu else executor_cores
    if task_cpus < 1:
        raise ValueError("executor_cores (%d) must be at least gpus_per_executor (%d)"
                         % (executor_cores, gpus_per_executor))
    overhead = executor_offheap_gb + 1
    container = executor_heap_gb + overhead
    opts = java_options(home)
    conf = {
        "spark.driver.extraJavaOptions": "%s -Dorg.bytedeco.javacpp.maxbytes=%dg "
                                         "-Dorg.bytedeco.javacpp.maxphysicalbytes=0" % (opts, driver_memory_gb),
        "spark.executor.memoryOverhead": "%dg" % overhead,
        "spark.executor.extraJavaOptions": "%s -Dorg.bytedeco.javacpp.maxbytes=%dg "
                                           "-Dorg.bytedeco.javacpp.maxphysicalbytes=%dg"
                                           % (opts, executor_offheap_gb, container),
        "spark.task.cpus": str(task_cpus),
        "spark.executorEnv.GOMP_SPINCOUNT": "5000",
        "spark.executorEnv.OMP_NUM_THREADS": str(task_cpus),
        "spark.yarn.appMasterEnv.GOMP_SPINCOUNT": "5000",
        "spark.kubernetes.driverEnv.GOMP_SPINCOUNT": "5000",
        "spark.speculation": "false",
    }
    if gpu:
        conf.update({
            "spark.executor.resource.gpu.amount": str(gpus_per_executor),
            "spark.task.resource.gpu.amount": "1",
            "spark.executor.resource.gpu.discoveryScript": discovery_script,
            "spark.executor.resource.gpu.vendor": "nvidia.com",
        })
    return conf


if __name__ == "__main__":
    # python3 sdti_spark_conf.py [cpu|gpu]: the settings as JSON (used by the consistency test)
    print(json.dumps(spark_conf(gpu=(sys.argv[1:] or ["gpu"])[0] == "gpu"), indent=1, sort_keys=True))
