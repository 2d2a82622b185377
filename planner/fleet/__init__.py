"""City scale: hangars split into groups, each solved in-process, in processes or on a Dask cluster.

A group job is plain picklable data; results come back in job order.
"""
