#!/usr/bin/env python3
"""Runs `declproc extract` on an Apache Spark cluster.

The input paths (e.g. one WARC file per line in LIST files) are spread over Spark
partitions; each partition runs the declproc binary on its share (`mapPartitionsWithIndex`
calling the binary) and writes its own output folder, `OUT/part-00000/` …; the driver then
writes `OUT/summary.json`, the partitions' summaries added up, and `OUT/records.jsonl`, every
partition's records merged and sorted by id. Run `declproc dedup OUT/records.jsonl -o …`
afterwards to link duplicates across partitions (the partitions run with --no-dedup).

Every worker needs the binary and its Locales/ folder at the paths given (a shared file
system, or `spark-submit --archives declproc.tar.gz#declproc` with
`--binary ./declproc/declproc --locales ./declproc/Locales`), and must see the input paths.

    spark-submit Scripts/spark/declproc_spark.py --binary /opt/declproc/declproc \\
        --locales /opt/declproc/Locales --partitions 64 --out /data/out /data/warc-list.txt

Also runs in Spark local mode (`--master local[2]`, the default when no master is set),
which is how the tests check it.
"""
import argparse, json, os, subprocess, sys, tempfile


def run_partition(index, paths, binary, locales, out, extra):
    """One Spark partition: declproc on its paths, into OUT/part-NNNNN; yields its summary."""
    paths = list(paths)
    folder = os.path.join(out, "part-%05d" % index)
    if not paths:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        command = [binary, "extract", "--from-list", listing.name, "--out-dir", folder, "--no-dedup",
                   "--jobs", "1", "--quiet", "--force"] + (["--locales", locales] if locales else []) + extra
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("declproc failed on partition %d (exit %d): %s" % (index, result.returncode, result.stderr))
        with open(os.path.join(folder, "summary.json"), encoding="utf-8") as f:
            yield json.load(f)
    finally:
        os.unlink(listing.name)


def merge_summaries(summaries):
    total = {}
    for summary in summaries:
        for key, value in summary.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
            elif isinstance(value, dict) and key != "producer":
                bucket = total.setdefault(key, {})
                for k, v in value.items():
                    bucket[k] = bucket.get(k, 0) + v
            elif isinstance(value, list):
                total.setdefault(key, []).extend(value)
            else:
                total[key] = value
    return total


def main():
    parser = argparse.ArgumentParser(description="declproc extract on Apache Spark")
    parser.add_argument("lists", nargs="+", help="files listing input paths, one per line")
    parser.add_argument("--binary", required=True, help="the declproc executable, at this path on every worker")
    parser.add_argument("--locales", help="its Locales/ folder on every worker")
    parser.add_argument("--out", required=True, help="output folder (visible to every worker)")
    parser.add_argument("--partitions", type=int, default=0, help="Spark partitions (default: Spark's parallelism)")
    parser.add_argument("--master", default=None, help="Spark master (default: from spark-submit, else local[2])")
    parser.add_argument("--extra", default="", help="more declproc flags, space-separated (e.g. '--redact contacts')")
    args = parser.parse_args()

    from pyspark import SparkConf
    from pyspark.sql import SparkSession
    builder = SparkSession.builder.appName("declproc")
    # spark-submit sets the master; run as a plain script, Spark runs in local mode.
    if args.master or not SparkConf().contains("spark.master"):
        builder = builder.master(args.master or "local[2]")
    spark = builder.getOrCreate()
    try:
        paths = []
        for listing in args.lists:
            with open(listing, encoding="utf-8") as f:
                paths += [line.strip() for line in f if line.strip()]
        out = os.path.abspath(args.out)
        os.makedirs(out, exist_ok=True)
        binary, locales, extra = os.path.abspath(args.binary), args.locales and os.path.abspath(args.locales), args.extra.split()
        partitions = args.partitions or spark.sparkContext.defaultParallelism
        rdd = spark.sparkContext.parallelize(paths, max(1, min(partitions, len(paths) or 1)))
        summaries = rdd.mapPartitionsWithIndex(
            lambda index, it: run_partition(index, it, binary, locales, out, extra)).collect()
    finally:
        spark.stop()

    summary = merge_summaries(summaries)
    summary["partitions"] = len(summaries)
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    records = []
    for name in sorted(os.listdir(out)):
        part = os.path.join(out, name, "records.jsonl")
        if name.startswith("part-") and os.path.exists(part):
            with open(part, encoding="utf-8") as f:
                records += [line for line in f if line.strip()]
    records.sort(key=lambda line: json.loads(line)["id"])
    with open(os.path.join(out, "records.jsonl.tmp"), "w", encoding="utf-8") as f:
        f.writelines(records)
    os.replace(os.path.join(out, "records.jsonl.tmp"), os.path.join(out, "records.jsonl"))
    print("declproc on Spark: %d partitions, %d pages, %d statements, %d rejected; records in %s"
          % (len(summaries), summary.get("pages", 0), summary.get("statements", 0), summary.get("rejected", 0),
             os.path.join(out, "records.jsonl")), file=sys.stderr)


if __name__ == "__main__":
    main()
