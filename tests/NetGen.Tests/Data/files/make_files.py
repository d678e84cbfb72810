"""Writes the data files that NpyTests and CsvTests read, with NumPy's own writers (np.save, np.savez,
np.savez_compressed, np.lib.format.write_array) and Python's csv module.

Run from this folder with Debian's Python and NumPy (python3-numpy, 1.24.2 here):

    /usr/bin/python3 make_files.py

The tests assert the values written here; change both together. The output is deterministic.
"""
import csv
import io
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def save(name, array, version=None):
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=True)


# One array per supported dtype, shape (2, 3), C order, little-endian, format 1.0.
ints = np.array([[0, 1, -2], [3, -4, 5]])
save("int8.npy", ints.astype("<i1"))
save("int16.npy", ints.astype("<i2"))
save("int32.npy", ints.astype("<i4"))
save("int64.npy", np.array([[0, 1, -2], [np.iinfo(np.int64).max, np.iinfo(np.int64).min, 5]], dtype="<i8"))
save("uint8.npy", np.array([[0, 1, 2], [127, 128, 255]], dtype="|u1"))
save("uint16.npy", np.array([[0, 1, 2], [300, 40000, 65535]], dtype="<u2"))
save("uint32.npy", np.array([[0, 1, 2], [70000, 3000000000, 4294967295]], dtype="<u4"))
save("uint64.npy", np.array([[0, 1, 2], [2**40, 2**63 - 1, 2**64 - 1]], dtype="<u8"))
save("bool.npy", np.array([[True, False, True], [False, False, True]]))
floats = np.array([[0.1, -2.5, 1e-8], [3.0e38, -0.0, 16777217.0]])
save("float16.npy", np.array([[0.1, -2.5, 65504.0], [0.000061035156, -0.0, 1.0 / 3.0]], dtype="<f2"))
save("float32.npy", floats.astype("<f4"))
save("float64.npy", np.array([[0.1, -2.5, 1e-300], [1e300, -0.0, 1.0 / 3.0]], dtype="<f8"))

# Big-endian: the same values as float32.npy and int64.npy.
save("float32_be.npy", floats.astype(">f4"))
save("int64_be.npy", np.array([[0, 1, -2], [np.iinfo(np.int64).max, np.iinfo(np.int64).min, 5]], dtype=">i8"))
save("uint16_be.npy", np.array([[0, 1, 2], [300, 40000, 65535]], dtype=">u2"))

# Format versions 2.0 and 3.0 of the same float32 array.
save("float32_v2.npy", floats.astype("<f4"), version=(2, 0))
save("float32_v3.npy", floats.astype("<f4"), version=(3, 0))

# Shapes: a scalar, rank 3, rank 1, a zero-size dimension.
save("scalar.npy", np.array(7.5, dtype="<f8"))
save("rank3.npy", np.arange(24, dtype="<f4").reshape(2, 3, 4))
save("rank1.npy", np.array([4, 5, 6], dtype="<i8"))
save("empty.npy", np.zeros((0, 3), dtype="<f4"))

# Fortran order (2-D: refused) and a 1-D array NumPy marks as C order anyway.
save("fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))

# Unsupported dtypes.
save("object.npy", np.array([1, "two", None], dtype=object))
save("unicode.npy", np.array(["ab", "cde"]))
save("complex.npy", np.array([1 + 2j], dtype="<c8"))
save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i8")]))
save("datetime.npy", np.array(["2024-01-01"], dtype="datetime64[D]"))

# Archives: stored (np.savez) and deflated (np.savez_compressed).
x = (np.arange(24, dtype=np.float32).reshape(6, 2, 2) / 4).astype(np.float32)
y = np.array([0, 1, 2, 1, 0, 2], dtype=np.int64)
np.savez(path("stored.npz"), x=x, y=y)
np.savez_compressed(path("deflated.npz"), x=x.astype(np.float64), y=y.astype(np.uint8))
np.savez_compressed(path("regression.npz"), x=x, y=np.array([[0.5, -1], [1.5, 2], [2.5, 3], [3.5, 4], [4.5, 5], [5.5, 6]], dtype=np.float32))
np.savez(path("positional.npz"), x[:2], y[:2])
np.savez(path("labels_out_of_range.npz"), x=x, y=np.array([0, 1, 2, 3, 0, 1], dtype=np.int16))
np.savez(path("mismatch.npz"), x=x, y=y[:5])
np.savez(path("with_object.npz"), x=x, y=np.array([1, "a"], dtype=object))
# A Keras-style MNIST archive in miniature: uint8 images, uint8 labels.
images = np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4) * 5
np.savez_compressed(path("mini_mnist.npz"), x_train=images, y_train=np.array([7, 2, 9], dtype=np.uint8))

# CSV files: a classification table with a quoted header, a regression table, and bad ones.
with open(path("iris_small.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["sepal_length", "sepal width", "petal,length", "species"])
    w.writerow(["5.1", "3.5", "1.4", "0"])
    w.writerow(["4.9", "3.0", "1.4e0", "0"])
    w.writerow(["7.0", "3.2", "4.7", "1"])
    w.writerow(["6.3", "-3.3E-1", "6.0", "2"])
with open(path("regression.csv"), "w", newline="") as f:
    w = csv.writer(f, delimiter=";")
    w.writerow(["rooms", "area", "price"])
    w.writerow(["3", "72.5", "310000.25"])
    w.writerow(["1", "30", "99999.5"])
with open(path("ragged.csv"), "w", newline="") as f:
    f.write("a,b,label\n1,2,0\n3,4\n")
with open(path("not_a_number.csv"), "w", newline="") as f:
    f.write("a,b,label\n1,2,0\n\n3,x4,1\n")
with open(path("empty.csv"), "w", newline="") as f:
    pass

print("wrote", sorted(os.listdir(HERE)))
