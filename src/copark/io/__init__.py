"""Import and export of the 资源清单/需求清单 workbooks (contract A): template, readers, validation, writing."""
